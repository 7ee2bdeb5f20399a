#pragma once
// The ingest role: the HTTP API in front of the event log.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "core/redis_thread.hpp"
#include "core/stop_signal.hpp"

namespace bl {

class AdminApi;
class JobWaiters;
class JobsApi;
class FilesApi;
class BatchesApi;
class MessageBatchesApi;
class WebhooksApi;
class PromptsApi;
class OptimizationsApi;
class ChainsApi;
class UsageApi;
class AuditApi;
class ConversationsApi;
class KeyAuthenticator;
class KeyCache;
class KeyRateLimiter;
class RequestGate;

class IngestServer {
 public:
  explicit IngestServer(const Config& config);
  ~IngestServer();

  Status start();
  void stop();
  int port() const;
  // Every (method, pattern) the server answers; empty before start().
  std::vector<std::pair<std::string, std::string>> routes() const;

  // Runs until stop is requested; returns an exit code.
  static int run(const Config& config, StopSignal& stop);

 private:
  const Config& config_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<RedisThread> redis_;
  std::unique_ptr<KeyCache> keys_;
  std::unique_ptr<KeyAuthenticator> auth_;
  std::unique_ptr<KeyRateLimiter> limiter_;
  std::unique_ptr<RequestGate> gate_;
  std::unique_ptr<JobWaiters> waiters_;
  std::unique_ptr<JobsApi> jobs_;
  std::unique_ptr<FilesApi> files_;
  std::unique_ptr<BatchesApi> batches_;
  std::unique_ptr<MessageBatchesApi> message_batches_;
  std::unique_ptr<WebhooksApi> webhooks_;
  std::unique_ptr<PromptsApi> prompts_;
  std::unique_ptr<OptimizationsApi> optimizations_;
  std::unique_ptr<ChainsApi> chains_;
  std::unique_ptr<AdminApi> admin_;
  std::unique_ptr<UsageApi> usage_;
  std::unique_ptr<AuditApi> audit_;
  std::unique_ptr<ConversationsApi> conversations_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace bl
