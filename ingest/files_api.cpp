#include "ingest/files_api.hpp"

#include <charconv>

#include "core/api_error.hpp"
#include "core/log.hpp"
#include "ingest/command_audit.hpp"
#include "ingest/list_page.hpp"
#include "ingest/multipart.hpp"
#include "ingest/pool_replies.hpp"

namespace bl {
namespace {

constexpr std::int64_t kDefaultBatchFileTtlS = 30LL * 86400;
constexpr std::int64_t kMinTtlS = 3600;
constexpr std::int64_t kMaxTtlS = 30LL * 86400;
// Multipart framing and the small fields around the file.
constexpr std::size_t kMultipartOverheadBytes = 64 << 10;
constexpr int kMaxListLimit = 10000;

struct Upload {
  std::string filename;
  std::string_view data;
  std::optional<std::int64_t> ttl_s;
};

// Checks the fields of an upload; the error names the field.
Result<Upload> read_upload(const std::vector<MultipartPart>& parts, std::size_t max_bytes) {
  Upload u;
  const MultipartPart* file = nullptr;
  std::optional<std::string_view> purpose, anchor, seconds;
  for (const auto& p : parts) {
    if (p.name == "file") {
      file = &p;
    } else if (p.name == "purpose") {
      purpose = p.data;
    } else if (p.name == "expires_after[anchor]") {
      anchor = p.data;
    } else if (p.name == "expires_after[seconds]") {
      seconds = p.data;
    } else {
      return Error::invalid("unknown field " + p.name.substr(0, 64));
    }
  }
  if (file == nullptr || !file->filename) return Error::invalid("file: a file part is required");
  if (!purpose) return Error::invalid("purpose: required");
  if (*purpose != file_purpose::kBatch) {
    return Error::invalid("purpose: only \"batch\" is supported");
  }
  if (file->data.size() > max_bytes) {
    return Error{ErrorCode::kPayloadTooLarge,
                 "file: larger than " + std::to_string(max_bytes) + " bytes"};
  }
  if (file->filename->empty() || file->filename->size() > 512) {
    return Error::invalid("file: the filename must have 1-512 characters");
  }
  if (anchor && *anchor != "created_at") {
    return Error::invalid("expires_after[anchor]: must be created_at");
  }
  if (seconds) {
    std::int64_t s = 0;
    auto [p, ec] = std::from_chars(seconds->data(), seconds->data() + seconds->size(), s);
    if (ec != std::errc() || p != seconds->data() + seconds->size() || s < kMinTtlS ||
        s > kMaxTtlS) {
      return Error::invalid("expires_after[seconds]: an integer from 3600 to 2592000");
    }
    u.ttl_s = s;
  }
  u.filename = *file->filename;
  u.data = file->data;
  return u;
}

std::optional<Uuid> file_id_param(const HttpRequest& request) {
  return from_api_id(id_prefix::kFile, request.path_param("id"));
}

HttpResponse no_such_file() {
  return error_response(404, "not_found", "No such File object.", "id");
}

}  // namespace

void write_file_json(JsonWriter& w, const FileRecord& f) {
  w.begin_object();
  w.field("id", to_api_id(id_prefix::kFile, f.file_id));
  w.field("object", "file");
  w.field("bytes", f.bytes);
  w.field("created_at", f.created_ms / 1000);
  w.key("expires_at");
  if (f.expires_ms) {
    w.value(*f.expires_ms / 1000);
  } else {
    w.null();
  }
  w.field("filename", f.filename);
  w.field("purpose", f.purpose);
  w.field("status", "processed");
  w.null_field("status_details");
  w.end_object();
}

void FilesApi::add_routes(Router& router) {
  router.add("POST", "/v1/files", config_.max_upload_bytes + kMultipartOverheadBytes,
             [this](HttpRequest& r, Responder res) { upload(r, res); });
  router.add("GET", "/v1/files", [this](HttpRequest& r, Responder res) { list(r, res); });
  router.add("GET", "/v1/files/{id}", [this](HttpRequest& r, Responder res) { get(r, res); });
  router.add("GET", "/v1/files/{id}/content",
             [this](HttpRequest& r, Responder res) { content(r, res); });
  router.add("DELETE", "/v1/files/{id}", [this](HttpRequest& r, Responder res) { remove(r, res); });
}

void FilesApi::upload(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta{principal->org_id, principal->workspace_id, principal->key_id,
                     request.request_id, std::nullopt};
  const std::string* type = request.header("content-type");
  auto boundary = multipart_boundary(type != nullptr ? *type : "");
  if (!boundary.ok()) {
    record_rejected_command(pool_, {"files.create", "file", "", 400, "invalid_request"}, meta);
    return responder.send(error_response(400, "invalid_request", boundary.error().message));
  }
  auto task = [this, responder, meta, boundary = std::move(*boundary),
               body = std::move(request.body)](pqxx::connection& conn) {
    auto reject = [&](const Error& e) {
      const int status = http_status_for(e.code);
      const char* code = status == 413 ? "file_too_large" : "invalid_request";
      record_rejected_command(pool_, {"files.create", "file", "", status, code}, meta);
      responder.send(error_response(status, code, e.message));
    };
    auto parts = parse_multipart(body, boundary);
    if (!parts.ok()) return reject(parts.error());
    auto upload = read_upload(*parts, config_.max_upload_bytes);
    if (!upload.ok()) return reject(upload.error());
    NewFile file;
    file.file_id = Uuid::generate_v7();
    file.org_id = meta.org_id;
    file.workspace_id = meta.workspace_id;
    file.purpose = std::string(file_purpose::kBatch);
    file.filename = upload->filename;
    file.expires_at_ms =
        file.file_id.v7_millis() + upload->ttl_s.value_or(kDefaultBatchFileTtlS) * 1000;
    const std::string api_id = to_api_id(id_prefix::kFile, file.file_id);
    auto stored = pg_call([&]() -> Result<std::optional<FileRecord>> {
      pqxx::work tx(conn);
      if (auto s =
              append_events(tx, {audit_append({"files.create", "file", api_id, 200, ""}, meta)});
          !s.ok()) {
        return s.error();
      }
      if (auto s = insert_file(tx, config_.keyring, file, upload->data); !s.ok()) return s.error();
      auto record = find_file(tx, config_.keyring, file.file_id, meta.workspace_id);
      tx.commit();
      return record;
    });
    if (!stored.ok() || !stored->has_value()) {
      return responder.send(
          database_error_response(stored.ok() ? Error::internal("file vanished") : stored.error()));
    }
    log::info("files.uploaded", {{"request_id", log::id(meta.request_id)},
                                 {"file_id", log::id(api_id)},
                                 {"bytes", (*stored)->bytes}});
    JsonWriter w;
    write_file_json(w, **stored);
    responder.send(HttpResponse::json(200, w.str()));
  };
  run_on_pool(pool_, responder, std::move(task));
}

void FilesApi::list(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  auto page = parse_page(request, kMaxListLimit, kMaxListLimit);
  if (!page.ok())
    return responder.send(error_response(400, "invalid_request", page.error().message, "limit"));
  FileListQuery q;
  q.workspace = principal->workspace_id;
  q.purpose = request.query_param("purpose");
  q.limit = page->limit;
  const auto order = request.query_param("order").value_or("desc");
  if (order != "asc" && order != "desc") {
    return responder.send(
        error_response(400, "invalid_request", "order must be asc or desc", "order"));
  }
  q.descending = order == "desc";
  if (page->after) {
    q.after = from_api_id(id_prefix::kFile, *page->after);
    if (!q.after)
      return responder.send(
          error_response(400, "invalid_request", "after must be a file id", "after"));
  }
  run_on_pool(pool_, responder, [this, responder, q](pqxx::connection& conn) {
    auto files = pg_call([&]() -> Result<std::vector<FileRecord>> {
      pqxx::read_transaction tx(conn);
      return list_files(tx, config_.keyring, q);
    });
    if (!files.ok()) return responder.send(database_error_response(files.error()));
    const bool has_more = static_cast<int>(files->size()) > q.limit;
    if (has_more) files->pop_back();
    std::vector<std::string> ids;
    for (const auto& f : *files)
      ids.push_back(to_api_id(id_prefix::kFile, f.file_id));
    responder.send(HttpResponse::json(
        200, list_json(ids, has_more,
                       [&](JsonWriter& w, std::size_t i) { write_file_json(w, (*files)[i]); })));
  });
}

void FilesApi::get(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  const auto id = file_id_param(request);
  if (!id) return responder.send(no_such_file());
  run_on_pool(pool_, responder,
              [this, responder, id = *id, ws = principal->workspace_id](pqxx::connection& conn) {
                auto file = pg_call([&]() -> Result<std::optional<FileRecord>> {
                  pqxx::read_transaction tx(conn);
                  return find_file(tx, config_.keyring, id, ws);
                });
                if (!file.ok()) return responder.send(database_error_response(file.error()));
                if (!file->has_value()) return responder.send(no_such_file());
                JsonWriter w;
                write_file_json(w, **file);
                responder.send(HttpResponse::json(200, w.str()));
              });
}

void FilesApi::content(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  const auto id = file_id_param(request);
  if (!id) return responder.send(no_such_file());
  run_on_pool(
      pool_, responder,
      [this, responder, id = *id, ws = principal->workspace_id](pqxx::connection& conn) {
        auto content = pg_call([&]() -> Result<std::optional<std::string>> {
          pqxx::read_transaction tx(conn);
          auto file = find_file(tx, config_.keyring, id, ws);
          if (!file.ok()) return file.error();
          if (!file->has_value()) return std::optional<std::string>();
          auto bytes = read_file_content(tx, config_.keyring, **file);
          if (!bytes.ok()) return bytes.error();
          return std::optional<std::string>(std::move(*bytes));
        });
        if (!content.ok()) return responder.send(database_error_response(content.error()));
        if (!content->has_value()) return responder.send(no_such_file());
        responder.send(HttpResponse::text(200, std::move(**content), "application/octet-stream"));
      });
}

void FilesApi::remove(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta{principal->org_id, principal->workspace_id, principal->key_id,
                     request.request_id, std::nullopt};
  const auto id = file_id_param(request);
  if (!id) {
    record_rejected_command(pool_, {"files.delete", "file", "", 404, "not_found"}, meta);
    return responder.send(no_such_file());
  }
  run_on_pool(pool_, responder, [this, responder, id = *id, meta](pqxx::connection& conn) {
    const std::string api_id = to_api_id(id_prefix::kFile, id);
    auto deleted = pg_call([&]() -> Result<bool> {
      pqxx::work tx(conn);
      if (auto s =
              append_events(tx, {audit_append({"files.delete", "file", api_id, 200, ""}, meta)});
          !s.ok()) {
        return s.error();
      }
      if (!delete_file(tx, id, meta.workspace_id)) return false;  // rolled back: nothing changed
      tx.commit();
      return true;
    });
    if (!deleted.ok()) return responder.send(database_error_response(deleted.error()));
    if (!*deleted) {
      record_rejected_command(pool_, {"files.delete", "file", api_id, 404, "not_found"}, meta);
      return responder.send(no_such_file());
    }
    JsonWriter w;
    w.begin_object()
        .field("id", api_id)
        .field("object", "file")
        .field("deleted", true)
        .end_object();
    responder.send(HttpResponse::json(200, w.str()));
  });
}

}  // namespace bl
