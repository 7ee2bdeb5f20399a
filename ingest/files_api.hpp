#pragma once
// The OpenAI-compatible Files API: POST /v1/files (multipart upload, 413 above
// config.max_upload_bytes), GET /v1/files, GET /v1/files/{id}, GET /v1/files/{id}/content,
// DELETE /v1/files/{id}. Another workspace's file is answered 404.

#include "config/config.hpp"
#include "core/file_store.hpp"
#include "core/http_server.hpp"
#include "core/json.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

class FilesApi {
 public:
  FilesApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

 private:
  void upload(HttpRequest& request, Responder responder);
  void list(HttpRequest& request, Responder responder);
  void get(HttpRequest& request, Responder responder);
  void content(HttpRequest& request, Responder responder);
  void remove(HttpRequest& request, Responder responder);

  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

// {"id", "object": "file", "bytes", "created_at", "expires_at", "filename", "purpose", ...}
void write_file_json(JsonWriter& w, const FileRecord& file);

}  // namespace bl
