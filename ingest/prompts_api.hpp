#pragma once
// The prompt library (workspace keys):
//   POST /v1/prompts                                   {name, content, state?} -> version 1
//   GET  /v1/prompts?limit=&after=                     newest first, latest version each
//   GET  /v1/prompts/{id}                              every version
//   POST /v1/prompts/{id}/versions                     {content, state?} -> the next version
//   POST /v1/prompts/{id}/versions/{version}/publish | /archive
// Versions are draft, published or archived; jobs and optimizations name a prompt by id and
// version. Every write appends its CommandAudited event in its transaction. Another
// workspace's prompt is answered exactly like a missing one (404).

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

class PromptsApi {
 public:
  PromptsApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

 private:
  void create(HttpRequest& request, Responder responder);
  void list(HttpRequest& request, Responder responder);
  void get(HttpRequest& request, Responder responder);
  void add_version(HttpRequest& request, Responder responder);
  void set_state(HttpRequest& request, Responder responder, std::string state);

  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

}  // namespace bl
