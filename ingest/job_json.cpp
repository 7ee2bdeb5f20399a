#include "ingest/job_json.hpp"

#include "core/log.hpp"
#include "core/sealed_json.hpp"

namespace bl {
namespace {

void write_seconds(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& ms) {
  w.key(key);
  if (ms) {
    w.value(*ms / 1000);
  } else {
    w.null();
  }
}

void write_result(JsonWriter& w, const JobRow& row, const DataKeyring& ring) {
  w.key("result");
  auto doc = row.result_json ? parse_json(*row.result_json) : Result<JsonDocument>(Error{});
  if (!row.result_json || !doc.ok()) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("message");
  const JsonValue* box = json_member(*doc, "output");
  auto message =
      box != nullptr ? open_sealed(*box, ring, row.job_id) : Result<std::string>(Error{});
  if (message.ok() && !message->empty()) {
    w.raw(*message);
  } else {
    log::error("job.result_unreadable", {{"job_id", log::id(row.job_id.to_string())}});
    w.null();
  }
  w.field("finish_reason", json_string(*doc, "finish_reason").value_or(""));
  w.key("usage");
  if (const JsonValue* u = json_member(*doc, "usage")) {
    w.value(*u);
  } else {
    w.null();
  }
  w.field("latency_ms", json_int(*doc, "latency_ms").value_or(0));
  if (auto ttft = json_int(*doc, "ttft_ms")) w.field("ttft_ms", *ttft);
  w.end_object();
}

void write_error(JsonWriter& w, const JobRow& row, const DataKeyring& ring) {
  w.key("error");
  auto doc = row.error_json ? parse_json(*row.error_json) : Result<JsonDocument>(Error{});
  if (!row.error_json || !doc.ok()) {
    w.null();
    return;
  }
  w.begin_object();
  w.field("code", json_string(*doc, "code").value_or("unknown"));
  w.field("http_status", json_int(*doc, "http_status").value_or(0));
  if (const JsonValue* box = json_member(*doc, "detail")) {
    auto detail = open_sealed(*box, ring, row.job_id);
    if (detail.ok()) w.field("message", *detail);
  }
  w.end_object();
}

// The client's reference, opened: it is the owner reading their own job.
void write_client_reference(JsonWriter& w, const JobRow& row, const DataKeyring& ring) {
  w.key("client_reference");
  auto box = row.client_reference_box ? parse_json(*row.client_reference_box)
                                      : Result<JsonDocument>(Error{});
  auto reference = box.ok() ? open_sealed(*box, ring, row.job_id) : Result<std::string>(Error{});
  if (reference.ok() && !reference->empty()) {
    w.raw(*reference);
  } else {
    if (row.client_reference_box) {
      log::error("job.client_reference_unreadable", {{"job_id", log::id(row.job_id.to_string())}});
    }
    w.null();
  }
}

}  // namespace

void write_job_json(JsonWriter& w, const JobRow& row, const DataKeyring& ring) {
  w.begin_object();
  w.field("id", to_api_id(id_prefix::kJob, row.job_id));
  w.field("object", "job");
  w.field("status", job_state_name(row.status));
  w.field("model", row.model.value_or(""));
  w.optional_field("custom_id", row.custom_id);
  w.key("batch_id");
  if (row.batch_id) {
    w.value(to_api_id(id_prefix::kBatch, *row.batch_id));
  } else {
    w.null();
  }
  w.key("conversation_id");
  if (row.conversation_id) {
    w.value(to_api_id(id_prefix::kConversation, *row.conversation_id));
  } else {
    w.null();
  }
  w.field("priority", row.priority.value_or(500));
  w.field("attempts", row.attempts);
  write_client_reference(w, row, ring);
  write_seconds(w, "created_at", row.created_ms);
  write_seconds(w, "updated_at", row.updated_ms);
  write_seconds(w, "completed_at", row.finished_ms);
  write_seconds(w, "acknowledged_at", row.acknowledged_ms);
  write_result(w, row, ring);
  write_error(w, row, ring);
  w.end_object();
}

}  // namespace bl
