#pragma once
// The native jobs API: POST /v1/jobs and GET /v1/jobs/{id}.

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

class JobsApi {
 public:
  JobsApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

  // Validates every job, then appends one JobSubmitted per job and its outbox row in one
  // transaction; answers 202 with the job ids once committed.
  void submit(HttpRequest& request, Responder responder);
  void get(HttpRequest& request, Responder responder);

 private:
  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

}  // namespace bl
