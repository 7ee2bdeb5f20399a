#pragma once
// The native jobs API (workspace keys):
//   POST /v1/jobs                     one job or {"jobs": [...]}; all validated, then one
//                                     transaction; 202 with the jobs, readable at once
//   GET  /v1/jobs/{id}?wait=N         the job; with wait (1-30 s) held until it is terminal
//   GET  /v1/jobs?status=&batch_id=&limit=&after=   newest first
//   POST /v1/jobs/{id}/cancel | /consume | /consume-failed
// Another workspace's job is answered exactly like a missing one (404).

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/job_lifecycle.hpp"
#include "core/pg_pool.hpp"
#include "core/queue_keys.hpp"
#include "core/redis_thread.hpp"
#include "ingest/auth.hpp"
#include "ingest/job_waiters.hpp"

namespace bl {

class JobsApi {
 public:
  JobsApi(const Config& config, const Authenticator& auth, PgPool& pool, JobWaiters& waiters,
          RedisThread& redis)
      : config_(config),
        auth_(auth),
        pool_(pool),
        waiters_(waiters),
        redis_(redis),
        keys_(config.redis_prefix) {}
  void add_routes(Router& router);

  void submit(HttpRequest& request, Responder responder);
  void get(HttpRequest& request, Responder responder);
  void list(HttpRequest& request, Responder responder);
  void command(HttpRequest& request, Responder responder, JobEvent event);

 private:
  // Reads the job for its owner and answers; with wait_ms > 0 and a job not yet terminal,
  // first waits for it.
  void answer_job(const Uuid& job, const std::string& workspace, std::int64_t wait_ms,
                  Responder responder);

  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
  JobWaiters& waiters_;
  RedisThread& redis_;
  QueueKeys keys_;
};

}  // namespace bl
