#include "ingest/ingest_server.hpp"

#include <cstdio>

#include "core/admin_server.hpp"
#include "core/log.hpp"
#include "ingest/admin_api.hpp"
#include "ingest/api_key.hpp"
#include "ingest/audit_api.hpp"
#include "ingest/batches_api.hpp"
#include "ingest/chains_api.hpp"
#include "ingest/conversations_api.hpp"
#include "ingest/files_api.hpp"
#include "ingest/job_waiters.hpp"
#include "ingest/jobs_api.hpp"
#include "ingest/key_authenticator.hpp"
#include "ingest/key_cache.hpp"
#include "ingest/message_batches_api.hpp"
#include "ingest/optimizations_api.hpp"
#include "ingest/prompts_api.hpp"
#include "ingest/rate_limiter.hpp"
#include "ingest/readiness.hpp"
#include "ingest/request_gate.hpp"
#include "ingest/static_routes.hpp"
#include "ingest/status_api.hpp"
#include "ingest/usage_api.hpp"
#include "ingest/webhooks_api.hpp"

namespace bl {
namespace {

constexpr std::size_t kMaxQueuedDbTasks = 10000;
constexpr std::size_t kMaxLongPolls = 10000;
constexpr auto kFirstKeyLoad = std::chrono::seconds(5);

}  // namespace

IngestServer::IngestServer(const Config& config) : config_(config) {}

IngestServer::~IngestServer() {
  stop();
}

Status IngestServer::start() {
  pool_ = std::make_unique<PgPool>(config_.database_url, config_.db_pool_size, kMaxQueuedDbTasks);
  redis_ = std::make_unique<RedisThread>(config_.redis_host, config_.redis_port,
                                         config_.redis_timeout_ms);
  if (!check_pepper(config_.key_pepper).ok()) {
    log::warn("auth.no_pepper", {{"min_bytes", kMinPepperBytes}});  // dev keys only
  }
  keys_ = std::make_unique<KeyCache>(KeyCacheOptions{
      config_.database_url, config_.auth_refresh_ms, config_.auth_max_staleness_ms, {}, {}});
  keys_->start(kFirstKeyLoad);
  auth_ = std::make_unique<KeyAuthenticator>(config_, *keys_);
  limiter_ = std::make_unique<KeyRateLimiter>(config_, *redis_);
  gate_ = std::make_unique<RequestGate>(config_, *auth_, *limiter_, *pool_);
  waiters_ = std::make_unique<JobWaiters>(config_.database_url, kMaxLongPolls);
  waiters_->start();
  jobs_ = std::make_unique<JobsApi>(config_, *auth_, *pool_, *waiters_, *redis_);
  admin_ = std::make_unique<AdminApi>(config_, *auth_, *pool_);

  files_ = std::make_unique<FilesApi>(config_, *auth_, *pool_);
  batches_ = std::make_unique<BatchesApi>(config_, *auth_, *pool_);
  message_batches_ = std::make_unique<MessageBatchesApi>(config_, *auth_, *pool_);
  webhooks_ = std::make_unique<WebhooksApi>(config_, *auth_, *pool_);
  prompts_ = std::make_unique<PromptsApi>(config_, *auth_, *pool_);
  optimizations_ = std::make_unique<OptimizationsApi>(config_, *auth_, *pool_);
  chains_ = std::make_unique<ChainsApi>(config_, *auth_, *pool_);
  usage_ = std::make_unique<UsageApi>(config_, *auth_, *pool_);
  audit_ = std::make_unique<AuditApi>(config_, *auth_, *pool_);
  conversations_ = std::make_unique<ConversationsApi>(config_, *auth_, *pool_);

  Router router;
  jobs_->add_routes(router);
  admin_->add_routes(router);
  files_->add_routes(router);
  batches_->add_routes(router);
  message_batches_->add_routes(router);
  webhooks_->add_routes(router);
  prompts_->add_routes(router);
  optimizations_->add_routes(router);
  chains_->add_routes(router);
  usage_->add_routes(router);
  audit_->add_routes(router);
  conversations_->add_routes(router);
  add_operations_routes(router);
  add_readiness_route(router, *pool_, *redis_);
  add_status_route(router, config_, *auth_, *pool_);
  add_static_routes(router);
  // Every API adds its routes above: the gate wraps all /v1 routes (auth, rate limit,
  // Idempotency-Key).
  gate_->protect(router);

  HttpServerOptions o;
  o.name = "ingest";
  o.host = config_.listen_host;
  o.port = config_.listen_port;
  o.threads = config_.http_threads;
  o.max_header_bytes = config_.max_header_bytes;
  o.max_body_bytes = config_.max_body_bytes;
  o.read_write_timeout_s = config_.http_timeout_s;
  o.max_connections = config_.max_connections;
  o.tls_cert_file = config_.tls_cert_file;
  o.tls_key_file = config_.tls_key_file;
  server_ = std::make_unique<HttpServer>(o, std::move(router));
  return server_->start();
}

void IngestServer::stop() {
  // Requests first; then what they wait on.
  if (server_) server_->stop();
  if (waiters_) waiters_->stop();
  if (pool_) pool_->stop();
  if (keys_) keys_->stop();
  redis_.reset();
}

int IngestServer::port() const {
  return server_ ? server_->port() : 0;
}

std::vector<std::pair<std::string, std::string>> IngestServer::routes() const {
  return server_ ? server_->routes() : std::vector<std::pair<std::string, std::string>>{};
}

int IngestServer::run(const Config& config, StopSignal& stop) {
  IngestServer server(config);
  if (auto s = server.start(); !s.ok()) {
    log::error("ingest.start_failed", {{"error", log::code(error_code_name(s.error().code))}});
    // Start-up errors name settings and files, never user content.
    std::fprintf(stderr, "batchline ingest: %s\n", s.error().message.c_str());
    return 1;
  }
  while (!stop.wait_for(std::chrono::seconds(1))) {
  }
  server.stop();
  log::info("ingest.stopped", {});
  return 0;
}

}  // namespace bl
