#pragma once
// Optimization runs (workspace keys):
//   POST /v1/optimizations                    create a run (optimization_spec.hpp); 201
//   GET  /v1/optimizations?limit=&after=      newest first
//   GET  /v1/optimizations/{id}               status, round, spend, best, leaderboard
//   POST /v1/optimizations/{id}/pause | /resume | /cancel
//   POST /v1/optimizations/{id}/publish       the best prompt into the prompt library,
//                                             published: {"prompt_id"} adds a version to that
//                                             prompt, else {"name"} makes a new prompt
// The run advances in the optimization manager (workers/optimizer/); these handlers only
// append the client's commands to its stream. Another workspace's run is answered exactly
// like a missing one (404).

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

class OptimizationsApi {
 public:
  OptimizationsApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

 private:
  void create(HttpRequest& request, Responder responder);
  void list(HttpRequest& request, Responder responder);
  void get(HttpRequest& request, Responder responder);
  void command(HttpRequest& request, Responder responder, std::string_view command);
  void publish(HttpRequest& request, Responder responder);

  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

}  // namespace bl
