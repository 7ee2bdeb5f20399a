#pragma once
// The conversations API (workspace keys); another workspace's conversation is a 404:
//   GET    /v1/conversations?limit=&after=           newest first
//   GET    /v1/conversations/{id}?limit=&after=      the conversation and a page of messages
//   PATCH  /v1/conversations/{id}                    {"title": "...", "metadata": {...}}
//   DELETE /v1/conversations/{id}                    soft delete: the key is destroyed at once
//   GET    /v1/conversations/{id}/export?format=json|markdown
// Conversations are made by jobs that name them (conversation_id) and appear once the
// conversations projection has folded the first job.

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

class ConversationsApi {
 public:
  ConversationsApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

  void list(HttpRequest& request, Responder responder);
  void get(HttpRequest& request, Responder responder);
  void update(HttpRequest& request, Responder responder);
  void remove(HttpRequest& request, Responder responder);
  void export_conversation(HttpRequest& request, Responder responder);

 private:
  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

}  // namespace bl
