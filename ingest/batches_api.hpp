#pragma once
// The OpenAI-compatible Batch API: POST /v1/batches, GET /v1/batches/{id},
// GET /v1/batches?after=&limit=, POST /v1/batches/{id}/cancel (idempotent). Beyond OpenAI:
// progress and an ETA on every batch object, the results so far while a batch runs
// (GET /v1/batches/{id}/output and /errors), and POST /v1/batches/{id}/retry, which creates a
// new batch from the lines that failed or expired.

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

class BatchesApi {
 public:
  BatchesApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

 private:
  void create(HttpRequest& request, Responder responder);
  void get(HttpRequest& request, Responder responder);
  void list(HttpRequest& request, Responder responder);
  void cancel(HttpRequest& request, Responder responder);
  void retry(HttpRequest& request, Responder responder);
  void results(HttpRequest& request, Responder responder, bool errors);

  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

}  // namespace bl
