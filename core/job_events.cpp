#include "core/job_events.hpp"

#include "core/sealed_json.hpp"

namespace bl {
namespace {

std::string opt_string(const JsonValue& v, std::string_view name) {
  auto s = json_string(v, name);
  return s ? std::string(*s) : std::string();
}

std::optional<Uuid> opt_uuid(const JsonValue& v, std::string_view name) {
  auto s = json_string(v, name);
  return s ? Uuid::parse(*s) : std::nullopt;
}

Result<std::string> open_if(const JsonValue& obj, std::string_view name, const DataKeyring* ring,
                            const Uuid& job) {
  const JsonValue* box = json_member(obj, name);
  if (ring == nullptr || box == nullptr || !box->IsObject()) return std::string();
  return open_sealed(*box, *ring, job);
}

Status write_error(JsonWriter& w, const JobError& e, const DataKeyring& ring, const Uuid& job) {
  w.key("error").begin_object();
  w.field("code", e.code);
  w.field("http_status", e.http_status);
  if (!e.detail.empty()) {
    if (auto s = write_sealed(w, "detail", ring, e.detail, job); !s.ok()) return s;
  }
  w.end_object();
  return {};
}

Result<JobError> read_error(const JsonValue& doc, const DataKeyring* ring, const Uuid& job) {
  JobError e;
  const JsonValue* err = json_member(doc, "error");
  if (err == nullptr || !err->IsObject()) return Error::internal("event has no error object");
  e.code = opt_string(*err, "code");
  e.http_status = static_cast<int>(json_int(*err, "http_status").value_or(0));
  auto detail = open_if(*err, "detail", ring, job);
  if (!detail.ok()) return detail.error();
  e.detail = std::move(*detail);
  return e;
}

Result<JsonDocument> parse_event(std::string_view data) {
  auto doc = parse_json(data);
  if (!doc.ok()) return Error::internal("event data is not JSON");
  if (!doc->IsObject()) return Error::internal("event data is not an object");
  return doc;
}

}  // namespace

std::string encode_metadata(const EventMetadata& m) {
  JsonWriter w;
  w.begin_object();
  w.field("org_id", m.org_id);
  w.field("workspace_id", m.workspace_id);
  if (!m.key_id.empty()) w.field("key_id", m.key_id);
  if (!m.request_id.empty()) w.field("request_id", m.request_id);
  if (m.correlation_id) w.field("correlation_id", m.correlation_id->to_string());
  w.end_object();
  return w.str();
}

EventMetadata decode_metadata(std::string_view json) {
  EventMetadata m;
  auto doc = parse_json(json);
  if (!doc.ok() || !doc->IsObject()) return m;
  m.org_id = opt_string(*doc, "org_id");
  m.workspace_id = opt_string(*doc, "workspace_id");
  m.key_id = opt_string(*doc, "key_id");
  m.request_id = opt_string(*doc, "request_id");
  m.correlation_id = opt_uuid(*doc, "correlation_id");
  return m;
}

Result<std::string> encode(const JobSubmitted& e, const DataKeyring& ring, const Uuid& job) {
  JsonWriter w;
  w.begin_object();
  w.field("model", e.model);
  w.field("priority", e.priority);
  if (e.batch_id) w.field("batch_id", e.batch_id->to_string());
  if (e.custom_id) w.field("custom_id", *e.custom_id);
  if (e.conversation_id) w.field("conversation_id", e.conversation_id->to_string());
  if (e.use_history) w.field("use_history", true);
  if (e.max_tokens > 0) w.field("max_tokens", e.max_tokens);
  if (auto s = write_sealed(w, "request", ring, e.request_json, job); !s.ok()) return s.error();
  if (!e.client_reference_json.empty()) {
    if (auto s = write_sealed(w, "client_reference", ring, e.client_reference_json, job); !s.ok())
      return s.error();
  }
  w.end_object();
  return w.str();
}

Result<std::string> encode(const JobSucceeded& e, const DataKeyring& ring, const Uuid& job) {
  JsonWriter w;
  w.begin_object();
  w.field("attempt", e.attempt);
  w.field("worker", e.worker);
  w.field("started_at_ms", e.started_at_ms);
  w.field("finished_at_ms", e.finished_at_ms);
  w.field("latency_ms", e.latency_ms);
  if (e.ttft_ms >= 0) w.field("ttft_ms", e.ttft_ms);
  if (e.mean_itl_ms >= 0) w.field("mean_itl_ms", e.mean_itl_ms);
  w.key("usage").begin_object();
  w.field("input_tokens", e.usage.input_tokens);
  w.field("output_tokens", e.usage.output_tokens);
  w.field("cached_tokens", e.usage.cached_tokens);
  w.field("cost_nano_usd", e.usage.cost_nano_usd);
  w.end_object();
  w.field("finish_reason", e.finish_reason);
  w.field("http_status", e.http_status);
  if (auto s = write_sealed(w, "output", ring, e.output_json, job); !s.ok()) return s.error();
  w.end_object();
  return w.str();
}

Result<std::string> encode(const JobAttemptFailed& e, const DataKeyring& ring, const Uuid& job) {
  JsonWriter w;
  w.begin_object();
  w.field("attempt", e.attempt);
  if (auto s = write_error(w, e.error, ring, job); !s.ok()) return s.error();
  w.field("retry_at_ms", e.retry_at_ms);
  w.field("latency_ms", e.latency_ms);
  w.end_object();
  return w.str();
}

Result<std::string> encode(const JobFailed& e, const DataKeyring& ring, const Uuid& job) {
  JsonWriter w;
  w.begin_object();
  w.field("attempt", e.attempt);
  if (auto s = write_error(w, e.error, ring, job); !s.ok()) return s.error();
  w.end_object();
  return w.str();
}

std::string encode(const JobCancelled& e) {
  JsonWriter w;
  w.begin_object().field("reason", e.reason).end_object();
  return w.str();
}

Result<JobSubmitted> decode_job_submitted(std::string_view data, const DataKeyring* ring,
                                          const Uuid& job) {
  auto doc = parse_event(data);
  if (!doc.ok()) return doc.error();
  JobSubmitted e;
  e.model = opt_string(*doc, "model");
  e.priority = static_cast<int>(json_int(*doc, "priority").value_or(500));
  e.batch_id = opt_uuid(*doc, "batch_id");
  if (auto c = json_string(*doc, "custom_id")) e.custom_id = std::string(*c);
  e.conversation_id = opt_uuid(*doc, "conversation_id");
  const JsonValue* history = json_member(*doc, "use_history");
  e.use_history = history != nullptr && history->IsBool() && history->GetBool();
  e.max_tokens = static_cast<int>(json_int(*doc, "max_tokens").value_or(0));
  auto request = open_if(*doc, "request", ring, job);
  if (!request.ok()) return request.error();
  e.request_json = std::move(*request);
  auto reference = open_if(*doc, "client_reference", ring, job);
  if (!reference.ok()) return reference.error();
  e.client_reference_json = std::move(*reference);
  return e;
}

Result<JobSucceeded> decode_job_succeeded(std::string_view data, const DataKeyring* ring,
                                          const Uuid& job) {
  auto doc = parse_event(data);
  if (!doc.ok()) return doc.error();
  JobSucceeded e;
  e.attempt = static_cast<int>(json_int(*doc, "attempt").value_or(1));
  e.worker = opt_string(*doc, "worker");
  e.started_at_ms = json_int(*doc, "started_at_ms").value_or(0);
  e.finished_at_ms = json_int(*doc, "finished_at_ms").value_or(0);
  e.latency_ms = json_int(*doc, "latency_ms").value_or(0);
  e.ttft_ms = json_int(*doc, "ttft_ms").value_or(-1);
  e.mean_itl_ms = json_number(*doc, "mean_itl_ms").value_or(-1);
  if (const JsonValue* u = json_member(*doc, "usage")) {
    e.usage.input_tokens = json_int(*u, "input_tokens").value_or(0);
    e.usage.output_tokens = json_int(*u, "output_tokens").value_or(0);
    e.usage.cached_tokens = json_int(*u, "cached_tokens").value_or(0);
    e.usage.cost_nano_usd = json_int(*u, "cost_nano_usd").value_or(0);
  }
  e.finish_reason = opt_string(*doc, "finish_reason");
  e.http_status = static_cast<int>(json_int(*doc, "http_status").value_or(200));
  auto output = open_if(*doc, "output", ring, job);
  if (!output.ok()) return output.error();
  e.output_json = std::move(*output);
  return e;
}

Result<JobAttemptFailed> decode_job_attempt_failed(std::string_view data, const DataKeyring* ring,
                                                   const Uuid& job) {
  auto doc = parse_event(data);
  if (!doc.ok()) return doc.error();
  JobAttemptFailed e;
  e.attempt = static_cast<int>(json_int(*doc, "attempt").value_or(1));
  auto err = read_error(*doc, ring, job);
  if (!err.ok()) return err.error();
  e.error = std::move(*err);
  e.retry_at_ms = json_int(*doc, "retry_at_ms").value_or(0);
  e.latency_ms = json_int(*doc, "latency_ms").value_or(0);
  return e;
}

Result<JobFailed> decode_job_failed(std::string_view data, const DataKeyring* ring,
                                    const Uuid& job) {
  auto doc = parse_event(data);
  if (!doc.ok()) return doc.error();
  JobFailed e;
  e.attempt = static_cast<int>(json_int(*doc, "attempt").value_or(1));
  auto err = read_error(*doc, ring, job);
  if (!err.ok()) return err.error();
  e.error = std::move(*err);
  return e;
}

}  // namespace bl
