#include "ingest/ingest_server.hpp"

#include "core/admin_server.hpp"
#include "core/api_error.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "ingest/auth.hpp"
#include "ingest/batches_api.hpp"
#include "ingest/files_api.hpp"
#include "ingest/jobs_api.hpp"
#include "ingest/message_batches_api.hpp"
#include "ingest/webhooks_api.hpp"

namespace bl {
namespace {

constexpr std::size_t kMaxQueuedDbTasks = 10000;

}  // namespace

IngestServer::IngestServer(const Config& config) : config_(config) {}

IngestServer::~IngestServer() {
  stop();
}

Status IngestServer::start() {
  pool_ = std::make_unique<PgPool>(config_.database_url, config_.db_pool_size, kMaxQueuedDbTasks);
  auth_ = std::make_unique<DevKeyAuthenticator>(config_);
  jobs_ = std::make_unique<JobsApi>(config_, *auth_, *pool_);
  Router router;
  jobs_->add_routes(router);
  files_ = std::make_unique<FilesApi>(config_, *auth_, *pool_);
  files_->add_routes(router);
  batches_ = std::make_unique<BatchesApi>(config_, *auth_, *pool_);
  batches_->add_routes(router);
  message_batches_ = std::make_unique<MessageBatchesApi>(config_, *auth_, *pool_);
  message_batches_->add_routes(router);
  webhooks_ = std::make_unique<WebhooksApi>(config_, *auth_, *pool_);
  webhooks_->add_routes(router);
  add_operations_routes(router);
  router.add("GET", "/readyz", [this](HttpRequest&, Responder r) {
    const bool queued = pool_->submit([r](pqxx::connection* conn) {
      auto ok = conn != nullptr && pg_call([&]() -> Status {
                                     pqxx::nontransaction tx(*conn);
                                     tx.exec("SELECT 1");
                                     return {};
                                   }).ok();
      r.send(ok ? HttpResponse::json(200, R"({"status":"ready"})")
                : error_response(503, "not_ready", "database unreachable"));
    });
    if (!queued) r.send(error_response(503, "not_ready", "database pool saturated"));
  });
  router.add("GET", "/metrics", [](HttpRequest&, Responder r) {
    r.send(
        HttpResponse::text(200, MetricsRegistry::global().render(), "text/plain; version=0.0.4"));
  });
  HttpServerOptions o;
  o.name = "ingest";
  o.host = config_.listen_host;
  o.port = config_.listen_port;
  o.threads = config_.http_threads;
  o.max_header_bytes = config_.max_header_bytes;
  o.max_body_bytes = config_.max_body_bytes;
  server_ = std::make_unique<HttpServer>(o, std::move(router));
  return server_->start();
}

void IngestServer::stop() {
  if (server_) server_->stop();
  if (pool_) pool_->stop();
}

int IngestServer::port() const {
  return server_ ? server_->port() : 0;
}

int IngestServer::run(const Config& config, StopSignal& stop) {
  IngestServer server(config);
  if (auto s = server.start(); !s.ok()) {
    log::error("ingest.start_failed", {{"error", log::code(error_code_name(s.error().code))}});
    return 1;
  }
  while (!stop.wait_for(std::chrono::seconds(1))) {
  }
  server.stop();
  log::info("ingest.stopped", {});
  return 0;
}

}  // namespace bl
