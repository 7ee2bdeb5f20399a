#include "ingest/message_batches_api.hpp"

#include <charconv>

#include "core/file_store.hpp"
#include "core/log.hpp"
#include "ingest/anthropic_batch_input.hpp"
#include "ingest/batch_commands.hpp"
#include "ingest/batch_json.hpp"
#include "ingest/command_audit.hpp"
#include "ingest/pool_replies.hpp"
#include "ingest/quota_store.hpp"
#include "projections/batch_manager/batch_jobs.hpp"
#include "projections/batch_manager/batch_results.hpp"
#include "projections/batch_queries.hpp"

namespace bl {
namespace {

constexpr int kDefaultLimit = 20;
constexpr int kMaxLimit = 1000;

struct Caller {
  EventMetadata meta;
  std::string version;
};

std::optional<Uuid> batch_id_param(const HttpRequest& request) {
  return from_api_id(id_prefix::kMessageBatch, request.path_param("id"));
}

HttpResponse not_found(const std::string& request_id) {
  return anthropic_error(404, "message batch not found", request_id);
}

HttpResponse db_error(const Error& e, const std::string& request_id) {
  const int status = http_status_for(e.code);
  HttpResponse r =
      anthropic_error(status, status >= 500 ? "internal error" : e.message, request_id);
  if (status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace

HttpResponse anthropic_error(int status, std::string_view message, std::string_view request_id) {
  JsonWriter w;
  w.begin_object();
  w.field("type", "error");
  w.key("error").begin_object();
  w.field("type", anthropic_error_type(status));
  w.field("message", message);
  w.end_object();
  w.field("request_id", request_id);
  w.end_object();
  HttpResponse r = HttpResponse::json(status, w.str());
  r.headers.emplace_back("request-id", std::string(request_id));
  return r;
}

void MessageBatchesApi::add_routes(Router& router) {
  router.add("POST", "/v1/messages/batches", config_.max_batch_body_bytes,
             [this](HttpRequest& r, Responder res) { create(r, res); });
  router.add("GET", "/v1/messages/batches",
             [this](HttpRequest& r, Responder res) { list(r, res); });
  router.add("GET", "/v1/messages/batches/{id}",
             [this](HttpRequest& r, Responder res) { get(r, res); });
  router.add("POST", "/v1/messages/batches/{id}/cancel",
             [this](HttpRequest& r, Responder res) { cancel(r, res); });
  router.add("DELETE", "/v1/messages/batches/{id}",
             [this](HttpRequest& r, Responder res) { remove(r, res); });
  router.add("GET", "/v1/messages/batches/{id}/results",
             [this](HttpRequest& r, Responder res) { results(r, res); });
}

std::string MessageBatchesApi::results_base(const HttpRequest& request) const {
  if (!config_.public_base_url.empty()) return config_.public_base_url;
  const std::string* host = request.header("host");
  const std::string* proto = request.header("x-forwarded-proto");
  return (proto != nullptr && *proto == "https" ? "https://" : "http://") +
         (host != nullptr ? *host : std::string("localhost"));
}

// Authenticates and checks anthropic-version; answers the error itself when it fails.
static std::optional<Caller> admit(const Authenticator& auth, const HttpRequest& request,
                                   const Responder& responder) {
  auto principal = auth.authenticate(request);
  if (!principal.ok()) {
    responder.send(anthropic_error(401, "invalid x-api-key", request.request_id));
    return std::nullopt;
  }
  const std::string* version = request.header("anthropic-version");
  std::string v = version != nullptr ? *version : std::string(kAnthropicVersion2023);
  if (v != kAnthropicVersion2023 && v != kAnthropicVersion2026) {
    responder.send(
        anthropic_error(400, "anthropic-version: unsupported version", request.request_id));
    return std::nullopt;
  }
  return Caller{EventMetadata{principal->org_id, principal->workspace_id, principal->key_id,
                              request.request_id, std::nullopt},
                std::move(v)};
}

// The batch id of a command; answers (and audits) a bad one itself.
static std::optional<Uuid> command_batch_id(PgPool& pool, const HttpRequest& request,
                                            const Responder& responder, const Caller& caller,
                                            const char* action) {
  auto id = batch_id_param(request);
  if (!id) {
    record_rejected_command(pool, {action, "batch", "", 404, "not_found"}, caller.meta);
    responder.send(not_found(request.request_id));
  }
  return id;
}

void MessageBatchesApi::create(HttpRequest& request, Responder responder) {
  auto caller = admit(auth_, request, responder);
  if (!caller) return;
  auto task = [this, responder, caller = std::move(*caller), base = results_base(request),
               body = std::move(request.body)](pqxx::connection* conn) {
    const EventMetadata& meta = caller.meta;
    if (conn == nullptr) return responder.send(db_error(Error::unavailable("db"), meta.request_id));
    const std::string fingerprint = sha256(body);
    auto existing = find_deduplicated_batch(*conn, config_, meta.workspace_id, fingerprint,
                                            BatchApi::kAnthropic);
    if (!existing.ok()) return responder.send(db_error(existing.error(), meta.request_id));
    auto respond = [&](const BatchRow& row) {
      JsonWriter w;
      write_anthropic_batch_json(w, row, base);
      responder.send(HttpResponse::json(200, w.str()));
    };
    if (existing->has_value()) return respond(**existing);
    if (auto refusal = quota_refusal(*conn, meta.org_id)) {
      record_rejected_command(pool_, {"message_batches.create", "batch", "", 429, refusal->code},
                              meta);
      return responder.send(anthropic_error(429, refusal->message, meta.request_id));
    }
    AnthropicBatchInput input = validate_anthropic_batch(body, caller.version, config_);
    if (input.error) {
      record_rejected_command(
          pool_, {"message_batches.create", "batch", "", 400, "invalid_request"}, meta);
      return responder.send(anthropic_error(400, *input.error, meta.request_id));
    }
    BatchCreate c;
    c.submitted.api = BatchApi::kAnthropic;
    c.submitted.endpoint = "/v1/messages";
    c.submitted.completion_window = "24h";
    c.submitted.expires_at_ms = unix_now_ms() + config_.batch_completion_window_s * 1000LL;
    c.meta = meta;
    c.fingerprint = fingerprint;
    c.jobs = std::move(input.jobs);
    c.audit_action = "message_batches.create";
    auto row = create_and_read_batch(*conn, config_, c);
    if (!row.ok()) return responder.send(db_error(row.error(), meta.request_id));
    log::info("message_batches.created", {{"request_id", log::id(meta.request_id)},
                                          {"batch_id", log::id(row->batch_id.to_string())},
                                          {"jobs", c.jobs.size()}});
    respond(*row);
  };
  if (!pool_.submit(std::move(task))) {
    responder.send(anthropic_error(529, "the server is busy; retry shortly", request.request_id));
  }
}

void MessageBatchesApi::get(HttpRequest& request, Responder responder) {
  auto caller = admit(auth_, request, responder);
  if (!caller) return;
  const auto id = batch_id_param(request);
  if (!id) return responder.send(not_found(request.request_id));
  submit_or_busy(pool_, responder,
                 [this, responder, id = *id, meta = caller->meta,
                  base = results_base(request)](pqxx::connection* conn) {
                   if (conn == nullptr)
                     return responder.send(db_error(Error::unavailable("db"), meta.request_id));
                   auto row = read_batch_for(*conn, id, meta.workspace_id, BatchApi::kAnthropic);
                   if (!row.ok()) return responder.send(db_error(row.error(), meta.request_id));
                   if (!row->has_value()) return responder.send(not_found(meta.request_id));
                   JsonWriter w;
                   write_anthropic_batch_json(w, **row, base);
                   responder.send(HttpResponse::json(200, w.str()));
                 });
}

void MessageBatchesApi::list(HttpRequest& request, Responder responder) {
  auto caller = admit(auth_, request, responder);
  if (!caller) return;
  BatchListQuery q;
  q.workspace = caller->meta.workspace_id;
  q.api = BatchApi::kAnthropic;
  q.limit = kDefaultLimit;
  if (auto limit = request.query_param("limit")) {
    int v = 0;
    auto [p, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), v);
    if (ec != std::errc() || p != limit->data() + limit->size() || v < 1 || v > kMaxLimit) {
      return responder.send(
          anthropic_error(400, "limit: an integer from 1 to 1000", request.request_id));
    }
    q.limit = v;
  }
  if (request.query_param("before_id")) {
    return responder.send(
        anthropic_error(400, "before_id: not supported; page with after_id", request.request_id));
  }
  if (auto after = request.query_param("after_id")) {
    q.after = from_api_id(id_prefix::kMessageBatch, *after);
    if (!q.after) {
      return responder.send(
          anthropic_error(400, "after_id: not a message batch id", request.request_id));
    }
  }
  submit_or_busy(pool_, responder,
                 [this, responder, q, rid = request.request_id,
                  base = results_base(request)](pqxx::connection* conn) {
                   if (conn == nullptr)
                     return responder.send(db_error(Error::unavailable("db"), rid));
                   auto rows = pg_call([&]() -> Result<std::vector<BatchRow>> {
                     pqxx::read_transaction tx(*conn);
                     return list_batches(tx, q);
                   });
                   if (!rows.ok()) return responder.send(db_error(rows.error(), rid));
                   const bool has_more = static_cast<int>(rows->size()) > q.limit;
                   if (has_more) rows->pop_back();
                   JsonWriter w;
                   w.begin_object();
                   w.key("data").begin_array();
                   for (const auto& b : *rows)
                     write_anthropic_batch_json(w, b, base);
                   w.end_array();
                   w.field("has_more", has_more);
                   if (rows->empty()) {
                     w.null_field("first_id").null_field("last_id");
                   } else {
                     w.field("first_id",
                             batch_api_id(BatchApi::kAnthropic, rows->front().batch_id));
                     w.field("last_id", batch_api_id(BatchApi::kAnthropic, rows->back().batch_id));
                   }
                   w.end_object();
                   responder.send(HttpResponse::json(200, w.str()));
                 });
}

void MessageBatchesApi::cancel(HttpRequest& request, Responder responder) {
  auto caller = admit(auth_, request, responder);
  if (!caller) return;
  const auto id = command_batch_id(pool_, request, responder, *caller, "message_batches.cancel");
  if (!id) return;
  submit_or_busy(
      pool_, responder,
      [this, responder, id = *id, meta = caller->meta,
       base = results_base(request)](pqxx::connection* conn) {
        if (conn == nullptr)
          return responder.send(db_error(Error::unavailable("db"), meta.request_id));
        const std::string api_id = batch_api_id(BatchApi::kAnthropic, id);
        auto outcome =
            request_batch_cancel(*conn, id, BatchApi::kAnthropic, meta, "message_batches.cancel");
        if (!outcome.ok()) return responder.send(db_error(outcome.error(), meta.request_id));
        if (outcome->first == CancelOutcome::kNotFound) {
          record_rejected_command(
              pool_, {"message_batches.cancel", "batch", api_id, 404, "not_found"}, meta);
          return responder.send(not_found(meta.request_id));
        }
        if (outcome->first != CancelOutcome::kRequested) {
          // Cancelling an ended batch changes nothing and answers it as it is (idempotent).
          record_rejected_command(
              pool_, {"message_batches.cancel", "batch", api_id, 200, "already_ended"}, meta);
        }
        JsonWriter w;
        write_anthropic_batch_json(w, *outcome->second, base);
        responder.send(HttpResponse::json(200, w.str()));
      });
}

void MessageBatchesApi::remove(HttpRequest& request, Responder responder) {
  auto caller = admit(auth_, request, responder);
  if (!caller) return;
  const auto id = command_batch_id(pool_, request, responder, *caller, "message_batches.delete");
  if (!id) return;
  submit_or_busy(
      pool_, responder, [this, responder, id = *id, meta = caller->meta](pqxx::connection* conn) {
        if (conn == nullptr)
          return responder.send(db_error(Error::unavailable("db"), meta.request_id));
        const std::string api_id = batch_api_id(BatchApi::kAnthropic, id);
        auto outcome = delete_batch(*conn, id, meta);
        if (!outcome.ok()) return responder.send(db_error(outcome.error(), meta.request_id));
        if (*outcome == DeleteOutcome::kNotFound) {
          record_rejected_command(
              pool_, {"message_batches.delete", "batch", api_id, 404, "not_found"}, meta);
          return responder.send(not_found(meta.request_id));
        }
        if (*outcome == DeleteOutcome::kNotEnded) {
          record_rejected_command(
              pool_, {"message_batches.delete", "batch", api_id, 400, "not_ended"}, meta);
          return responder.send(anthropic_error(
              400, "a message batch can be deleted only once it has ended; cancel it first",
              meta.request_id));
        }
        JsonWriter w;
        w.begin_object().field("id", api_id).field("type", "message_batch_deleted").end_object();
        responder.send(HttpResponse::json(200, w.str()));
      });
}

void MessageBatchesApi::results(HttpRequest& request, Responder responder) {
  auto caller = admit(auth_, request, responder);
  if (!caller) return;
  const auto id = batch_id_param(request);
  if (!id) return responder.send(not_found(request.request_id));
  submit_or_busy(
      pool_, responder, [this, responder, id = *id, meta = caller->meta](pqxx::connection* conn) {
        if (conn == nullptr)
          return responder.send(db_error(Error::unavailable("db"), meta.request_id));
        auto row = read_batch_for(*conn, id, meta.workspace_id, BatchApi::kAnthropic);
        if (!row.ok()) return responder.send(db_error(row.error(), meta.request_id));
        if (!row->has_value()) return responder.send(not_found(meta.request_id));
        if (!is_ended((*row)->status)) {
          return responder.send(anthropic_error(
              400, "results are available once the message batch has ended", meta.request_id));
        }
        auto content = pg_call([&]() -> Result<std::string> {
          pqxx::read_transaction tx(*conn);
          if (!(*row)->output_file_id) return std::string();
          auto file = find_file(tx, config_.keyring, *(*row)->output_file_id, meta.workspace_id);
          if (!file.ok()) return file.error();
          if (!file->has_value()) return std::string();
          return read_file_content(tx, config_.keyring, **file);
        });
        if (!content.ok()) return responder.send(db_error(content.error(), meta.request_id));
        responder.send(HttpResponse::text(200, std::move(*content), "application/x-jsonl"));
      });
}

}  // namespace bl
