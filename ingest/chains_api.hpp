#pragma once
// Job chains (workspace keys):
//   POST /v1/chains        {"job": <a job as POST /v1/jobs takes it>,
//                           "eval": {"model", "prompt"}, "meta": {"model", "prompt"},
//                           "prompt_id"?: the library prompt the job's prompt came from,
//                           "json_output"?: true}
//                          -> 201 the chain; the working job is queued in the same transaction
//   GET  /v1/chains/{id}   status, the chain's jobs, the evaluation, the proposed draft
// The chain advances in the optimization manager (workers/optimizer/job_chain.hpp). Another
// workspace's chain is answered exactly like a missing one (404).

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

class ChainsApi {
 public:
  ChainsApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

 private:
  void create(HttpRequest& request, Responder responder);
  void get(HttpRequest& request, Responder responder);

  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

}  // namespace bl
