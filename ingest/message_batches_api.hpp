#pragma once
// The Anthropic-compatible Message Batches API: POST /v1/messages/batches,
// GET /v1/messages/batches/{id}, GET /v1/messages/batches?limit=&after_id=,
// POST /v1/messages/batches/{id}/cancel, DELETE /v1/messages/batches/{id},
// GET /v1/messages/batches/{id}/results (JSONL). Keys arrive as x-api-key or
// Authorization: Bearer; anthropic-version 2023-06-01 and 2026-10-21 are accepted. Errors use
// Anthropic's shape {"type":"error","error":{"type","message"},"request_id"}.

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

class MessageBatchesApi {
 public:
  MessageBatchesApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

 private:
  void create(HttpRequest& request, Responder responder);
  void get(HttpRequest& request, Responder responder);
  void list(HttpRequest& request, Responder responder);
  void cancel(HttpRequest& request, Responder responder);
  void remove(HttpRequest& request, Responder responder);
  void results(HttpRequest& request, Responder responder);
  std::string results_base(const HttpRequest& request) const;

  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

// Anthropic's error body for a status.
HttpResponse anthropic_error(int status, std::string_view message, std::string_view request_id);

}  // namespace bl
