#include "ingest/batches_api.hpp"

#include "core/api_error.hpp"
#include "core/file_store.hpp"
#include "core/log.hpp"
#include "ingest/batch_commands.hpp"
#include "ingest/batch_json.hpp"
#include "ingest/command_audit.hpp"
#include "ingest/list_page.hpp"
#include "ingest/openai_batch_input.hpp"
#include "ingest/pool_replies.hpp"
#include "ingest/quota_store.hpp"
#include "projections/batch_manager/batch_jobs.hpp"
#include "projections/batch_manager/batch_results.hpp"
#include "projections/batch_queries.hpp"

namespace bl {
namespace {

constexpr std::size_t kMaxMetadataPairs = 16;
constexpr std::size_t kMaxMetadataKey = 64;
constexpr std::size_t kMaxMetadataValue = 512;
constexpr const char* kCompletionWindow = "24h";

struct CreateParams {
  Uuid input_file_id;
  std::string metadata_json;  // empty when none
};

Result<CreateParams> parse_create(std::string_view body, ApiError* error) {
  auto fail = [&](int status, const char* code, std::string message, const char* param) {
    *error = ApiError{status, code, std::move(message), std::string(param), ""};
    return Error::invalid("bad create");
  };
  auto doc = parse_json(body);
  if (!doc.ok() || !doc->IsObject()) {
    return fail(400, "invalid_json", "the body must be a JSON object", "body");
  }
  for (auto it = doc->MemberBegin(); it != doc->MemberEnd(); ++it) {
    const std::string_view k = as_view(it->name);
    if (k != "input_file_id" && k != "endpoint" && k != "completion_window" && k != "metadata" &&
        k != "output_expires_after") {
      return fail(400, "unknown_parameter", "Unrecognized request argument supplied.", "body");
    }
  }
  auto endpoint = json_string(*doc, "endpoint");
  if (!endpoint) return fail(400, "missing_required_parameter", "endpoint is required", "endpoint");
  if (*endpoint != kChatCompletionsEndpoint) {
    return fail(400, "invalid_value", "endpoint: only /v1/chat/completions is supported",
                "endpoint");
  }
  if (json_string(*doc, "completion_window") != kCompletionWindow) {
    return fail(400, "invalid_value", "completion_window must be \"24h\"", "completion_window");
  }
  auto file = json_string(*doc, "input_file_id");
  if (!file) {
    return fail(400, "missing_required_parameter", "input_file_id is required", "input_file_id");
  }
  auto file_id = from_api_id(id_prefix::kFile, *file);
  if (!file_id) return fail(404, "not_found", "No such File object.", "input_file_id");
  CreateParams p{*file_id, ""};
  const JsonValue* metadata = json_member(*doc, "metadata");
  if (metadata != nullptr && !metadata->IsNull()) {
    if (!metadata->IsObject() || metadata->MemberCount() > kMaxMetadataPairs) {
      return fail(400, "invalid_value", "metadata: an object of at most 16 pairs", "metadata");
    }
    for (auto it = metadata->MemberBegin(); it != metadata->MemberEnd(); ++it) {
      if (it->name.GetStringLength() > kMaxMetadataKey || !it->value.IsString() ||
          it->value.GetStringLength() > kMaxMetadataValue) {
        return fail(400, "invalid_value",
                    "metadata: keys of at most 64 and string values of at most 512 characters",
                    "metadata");
      }
    }
    p.metadata_json = to_json(*metadata);
  }
  return p;
}

HttpResponse no_such_batch() {
  return error_response(404, "not_found", "No such Batch object.", "id");
}

struct BatchCommand {
  EventMetadata meta;
  Uuid batch;
};

// Authenticates a command on /v1/batches/{id}/...; answers (and audits) a bad id itself.
std::optional<BatchCommand> admit_batch_command(const Authenticator& auth, PgPool& pool,
                                                const HttpRequest& request,
                                                const Responder& responder, const char* action) {
  auto principal = auth.authenticate(request);
  if (!principal.ok()) {
    responder.send(error_response(principal.error()));
    return std::nullopt;
  }
  EventMetadata meta{principal->org_id, principal->workspace_id, principal->key_id,
                     request.request_id, std::nullopt};
  const auto id = from_api_id(id_prefix::kBatch, request.path_param("id"));
  if (!id) {
    record_rejected_command(pool, {action, "batch", "", 404, "not_found"}, meta);
    responder.send(no_such_batch());
    return std::nullopt;
  }
  return BatchCommand{std::move(meta), *id};
}

HttpResponse batch_response(const BatchRow& b, const Config& config) {
  JsonWriter w;
  write_openai_batch_json(w, b, config.keyring, unix_now_ms());
  return HttpResponse::json(200, w.str());
}

// The OpenAI input line that reproduces a job (for the input file of a retry batch).
void append_input_line(const BatchJob& job, std::string* out) {
  auto request = parse_json(job.request_json);
  JsonWriter w;
  w.begin_object();
  w.field("custom_id", job.custom_id);
  w.field("method", "POST");
  w.field("url", kChatCompletionsEndpoint);
  w.key("body").begin_object();
  w.field("model", job.model);
  if (request.ok()) {
    if (const JsonValue* m = json_member(*request, "messages")) w.key("messages").value(*m);
    if (const JsonValue* p = json_member(*request, "parameters"); p && p->IsObject()) {
      for (auto it = p->MemberBegin(); it != p->MemberEnd(); ++it)
        w.key(as_view(it->name)).value(it->value);
    }
  }
  w.end_object();
  w.end_object();
  out->append(w.view());
  out->push_back('\n');
}

}  // namespace

void BatchesApi::add_routes(Router& router) {
  router.add("POST", "/v1/batches", [this](HttpRequest& r, Responder res) { create(r, res); });
  router.add("GET", "/v1/batches", [this](HttpRequest& r, Responder res) { list(r, res); });
  router.add("GET", "/v1/batches/{id}", [this](HttpRequest& r, Responder res) { get(r, res); });
  router.add("POST", "/v1/batches/{id}/cancel",
             [this](HttpRequest& r, Responder res) { cancel(r, res); });
  router.add("POST", "/v1/batches/{id}/retry",
             [this](HttpRequest& r, Responder res) { retry(r, res); });
  router.add("GET", "/v1/batches/{id}/output",
             [this](HttpRequest& r, Responder res) { results(r, res, false); });
  router.add("GET", "/v1/batches/{id}/errors",
             [this](HttpRequest& r, Responder res) { results(r, res, true); });
}

void BatchesApi::create(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta{principal->org_id, principal->workspace_id, principal->key_id,
                     request.request_id, std::nullopt};
  ApiError bad;
  auto params = parse_create(request.body, &bad);
  if (!params.ok()) {
    record_rejected_command(pool_, {"batches.create", "batch", "", bad.status, bad.code}, meta);
    return responder.send(error_response(bad));
  }
  auto task = [this, responder, meta, params = std::move(*params),
               fingerprint = sha256(request.body)](pqxx::connection& conn) {
    auto existing =
        find_deduplicated_batch(conn, config_, meta.workspace_id, fingerprint, BatchApi::kOpenAi);
    if (!existing.ok()) return responder.send(database_error_response(existing.error()));
    if (existing->has_value()) return responder.send(batch_response(**existing, config_));
    if (auto refusal = quota_refusal(conn, meta.org_id)) {
      record_rejected_command(pool_, {"batches.create", "batch", "", 429, refusal->code}, meta);
      return responder.send(error_response(*refusal));
    }
    auto content = pg_call([&]() -> Result<std::optional<std::string>> {
      pqxx::read_transaction tx(conn);
      auto file = find_file(tx, config_.keyring, params.input_file_id, meta.workspace_id);
      if (!file.ok()) return file.error();
      if (!file->has_value() || (*file)->purpose != file_purpose::kBatch) {
        return std::optional<std::string>();
      }
      auto bytes = read_file_content(tx, config_.keyring, **file);
      if (!bytes.ok()) return bytes.error();
      return std::optional<std::string>(std::move(*bytes));
    });
    if (!content.ok()) return responder.send(database_error_response(content.error()));
    if (!content->has_value()) {
      record_rejected_command(pool_, {"batches.create", "batch", "", 404, "not_found"}, meta);
      return responder.send(
          error_response(404, "not_found", "No such File object.", "input_file_id"));
    }
    BatchInput input = validate_openai_batch_input(**content, kChatCompletionsEndpoint, config_);
    content->reset();
    BatchCreate c;
    c.submitted.api = BatchApi::kOpenAi;
    c.submitted.endpoint = std::string(kChatCompletionsEndpoint);
    c.submitted.completion_window = kCompletionWindow;
    c.submitted.model = input.model;
    c.submitted.input_file_id = params.input_file_id;
    c.submitted.expires_at_ms = unix_now_ms() + config_.batch_completion_window_s * 1000LL;
    c.submitted.metadata_json = params.metadata_json;
    c.meta = meta;
    c.fingerprint = fingerprint;
    c.jobs = std::move(input.jobs);
    c.errors = std::move(input.errors);
    c.audit_action = "batches.create";
    auto row = create_and_read_batch(conn, config_, c);
    if (!row.ok()) return responder.send(database_error_response(row.error()));
    log::info("batches.created", {{"request_id", log::id(meta.request_id)},
                                  {"batch_id", log::id(row->batch_id.to_string())},
                                  {"jobs", c.jobs.size()},
                                  {"line_errors", c.errors.size()}});
    responder.send(batch_response(*row, config_));
  };
  run_on_pool(pool_, responder, std::move(task));
}

void BatchesApi::get(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  const auto id = from_api_id(id_prefix::kBatch, request.path_param("id"));
  if (!id) return responder.send(no_such_batch());
  run_on_pool(pool_, responder,
              [this, responder, id = *id, ws = principal->workspace_id](pqxx::connection& conn) {
                auto row = read_batch_for(conn, id, ws, BatchApi::kOpenAi);
                if (!row.ok()) return responder.send(database_error_response(row.error()));
                if (!row->has_value()) return responder.send(no_such_batch());
                responder.send(batch_response(**row, config_));
              });
}

void BatchesApi::list(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  auto page = parse_page(request, 20, 100);
  if (!page.ok()) {
    return responder.send(error_response(400, "invalid_request", page.error().message, "limit"));
  }
  BatchListQuery q;
  q.workspace = principal->workspace_id;
  q.api = BatchApi::kOpenAi;
  q.limit = page->limit;
  if (page->after) {
    q.after = from_api_id(id_prefix::kBatch, *page->after);
    if (!q.after) {
      return responder.send(
          error_response(400, "invalid_request", "after must be a batch id", "after"));
    }
  }
  run_on_pool(pool_, responder, [this, responder, q](pqxx::connection& conn) {
    auto rows = pg_call([&]() -> Result<std::vector<BatchRow>> {
      pqxx::read_transaction tx(conn);
      return list_batches(tx, q);
    });
    if (!rows.ok()) return responder.send(database_error_response(rows.error()));
    const bool has_more = static_cast<int>(rows->size()) > q.limit;
    if (has_more) rows->pop_back();
    std::vector<std::string> ids;
    for (const auto& b : *rows)
      ids.push_back(batch_api_id(BatchApi::kOpenAi, b.batch_id));
    const std::int64_t now = unix_now_ms();
    responder.send(
        HttpResponse::json(200, list_json(ids, has_more, [&](JsonWriter& w, std::size_t i) {
                             write_openai_batch_json(w, (*rows)[i], config_.keyring, now);
                           })));
  });
}

void BatchesApi::cancel(HttpRequest& request, Responder responder) {
  auto command = admit_batch_command(auth_, pool_, request, responder, "batches.cancel");
  if (!command) return;
  run_on_pool(
      pool_, responder,
      [this, responder, id = command->batch, meta = command->meta](pqxx::connection& conn) {
        const std::string api_id = batch_api_id(BatchApi::kOpenAi, id);
        auto outcome = request_batch_cancel(conn, id, BatchApi::kOpenAi, meta, "batches.cancel");
        if (!outcome.ok()) return responder.send(database_error_response(outcome.error()));
        switch (outcome->first) {
          case CancelOutcome::kNotFound:
            record_rejected_command(pool_, {"batches.cancel", "batch", api_id, 404, "not_found"},
                                    meta);
            return responder.send(no_such_batch());
          case CancelOutcome::kNotCancelled:
            record_rejected_command(pool_, {"batches.cancel", "batch", api_id, 409, "conflict"},
                                    meta);
            return responder.send(
                error_response(409, "batch_not_cancellable",
                               "Cannot cancel a batch with status '" +
                                   std::string(batch_status_name(outcome->second->status)) + "'.",
                               "id"));
          case CancelOutcome::kAlready:
            // Idempotent: a second cancel answers the batch as it is, and is audited as such.
            record_rejected_command(
                pool_, {"batches.cancel", "batch", api_id, 200, "already_cancelling"}, meta);
            [[fallthrough]];
          case CancelOutcome::kRequested:
            return responder.send(batch_response(*outcome->second, config_));
        }
      });
}

void BatchesApi::retry(HttpRequest& request, Responder responder) {
  auto command = admit_batch_command(auth_, pool_, request, responder, "batches.retry");
  if (!command) return;
  run_on_pool(
      pool_, responder,
      [this, responder, id = command->batch, meta = command->meta](pqxx::connection& conn) {
        const std::string api_id = batch_api_id(BatchApi::kOpenAi, id);
        auto reject = [&](int status, const char* code, std::string message) {
          record_rejected_command(pool_, {"batches.retry", "batch", api_id, status, code}, meta);
          responder.send(error_response(status, code, message, "id"));
        };
        const std::string fingerprint = sha256("retry:" + id.to_string());
        auto existing = find_deduplicated_batch(conn, config_, meta.workspace_id, fingerprint,
                                                BatchApi::kOpenAi);
        if (!existing.ok()) return responder.send(database_error_response(existing.error()));
        if (existing->has_value()) return responder.send(batch_response(**existing, config_));
        auto row = read_batch_for(conn, id, meta.workspace_id, BatchApi::kOpenAi);
        if (!row.ok()) return responder.send(database_error_response(row.error()));
        if (!row->has_value()) return reject(404, "not_found", "No such Batch object.");
        const BatchRow& original = **row;
        if (!is_ended(original.status) || original.status == BatchStatus::kFailed) {
          return reject(409, "batch_not_retryable",
                        "Only a completed, expired or cancelled batch can be retried.");
        }
        auto jobs = pg_call([&]() -> Result<std::vector<BatchJob>> {
          pqxx::read_transaction tx(conn);
          return load_batch_jobs(tx, config_.keyring, id, BatchJobContent::kRequests);
        });
        if (!jobs.ok()) return responder.send(database_error_response(jobs.error()));
        BatchCreate c;
        std::string input;
        for (const auto& j : *jobs) {
          const bool again = j.failed || (!j.succeeded && j.cancel_reason == "batch_expired");
          if (!again) continue;
          c.jobs.push_back(
              ValidatedJob{j.model, kBatchJobPriority, j.custom_id, j.max_tokens, j.request_json});
          append_input_line(j, &input);
        }
        if (c.jobs.empty()) {
          return reject(409, "nothing_to_retry", "The batch has no failed or expired lines.");
        }
        NewFile file;
        file.file_id = Uuid::generate_v7();
        file.org_id = meta.org_id;
        file.workspace_id = meta.workspace_id;
        file.purpose = std::string(file_purpose::kBatch);
        file.filename = api_id + "_retry.jsonl";
        file.expires_at_ms = unix_now_ms() + 30LL * 86400 * 1000;
        auto stored = pg_call([&]() -> Status {
          pqxx::work tx(conn);
          if (auto s = insert_file(tx, config_.keyring, file, input); !s.ok()) return s;
          tx.commit();
          return {};
        });
        if (!stored.ok()) return responder.send(database_error_response(stored.error()));
        c.submitted.api = BatchApi::kOpenAi;
        c.submitted.endpoint = original.endpoint;
        c.submitted.completion_window = original.completion_window;
        c.submitted.model = original.model;
        c.submitted.input_file_id = file.file_id;
        c.submitted.expires_at_ms = unix_now_ms() + config_.batch_completion_window_s * 1000LL;
        c.meta = meta;
        c.fingerprint = fingerprint;
        c.audit_action = "batches.retry";
        auto created = create_and_read_batch(conn, config_, c);
        if (!created.ok()) return responder.send(database_error_response(created.error()));
        responder.send(batch_response(*created, config_));
      });
}

void BatchesApi::results(HttpRequest& request, Responder responder, bool errors) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  const auto id = from_api_id(id_prefix::kBatch, request.path_param("id"));
  if (!id) return responder.send(no_such_batch());
  run_on_pool(
      pool_, responder,
      [this, responder, id = *id, ws = principal->workspace_id, errors](pqxx::connection& conn) {
        auto row = read_batch_for(conn, id, ws, BatchApi::kOpenAi);
        if (!row.ok()) return responder.send(database_error_response(row.error()));
        if (!row->has_value()) return responder.send(no_such_batch());
        auto jobs = pg_call([&]() -> Result<std::vector<BatchJob>> {
          pqxx::read_transaction tx(conn);
          return load_batch_jobs(tx, config_.keyring, id, BatchJobContent::kResults);
        });
        if (!jobs.ok()) return responder.send(database_error_response(jobs.error()));
        std::string output;
        std::string error_lines;
        for (const auto& j : *jobs)
          append_openai_result_line(j, &output, &error_lines);
        HttpResponse r = HttpResponse::text(
            200, errors ? std::move(error_lines) : std::move(output), "application/jsonl");
        r.headers.emplace_back("X-Batchline-Partial", is_ended((*row)->status) ? "false" : "true");
        responder.send(std::move(r));
      });
}

}  // namespace bl
