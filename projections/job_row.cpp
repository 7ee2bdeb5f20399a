#include "projections/job_row.hpp"

#include "core/job_events.hpp"
#include "core/json.hpp"

namespace bl {
namespace {

// A member of the event data, serialized (the error object, a sealed box).
std::optional<std::string> member_json(const std::string& data, std::string_view name) {
  auto doc = parse_json(data);
  if (!doc.ok()) return std::nullopt;
  const JsonValue* v = json_member(*doc, name);
  if (v == nullptr) return std::nullopt;
  return to_json(*v);
}

std::optional<std::string> error_object(const std::string& data) {
  return member_json(data, "error");
}

}  // namespace

void fold_job_event(JobRow& row, const RecordedEvent& e) {
  const auto type = parse_job_event(e.type);
  if (!type) return;
  row.job_id = e.stream_id;
  row.version = e.version;
  row.status = state_after(*type);
  row.updated_ms = e.recorded_at_ms;
  switch (*type) {
    case JobEvent::kSubmitted: {
      auto s = decode_job_submitted(e.data, nullptr, e.stream_id);
      const EventMetadata m = decode_metadata(e.metadata);
      row.org_id = m.org_id;
      row.workspace_id = m.workspace_id;
      if (s.ok()) {
        row.batch_id = s->batch_id;
        row.custom_id = s->custom_id;
        row.model = s->model;
        row.priority = s->priority;
        row.conversation_id = s->conversation_id;
      }
      row.client_reference_box = member_json(e.data, "client_reference");
      row.created_ms = e.recorded_at_ms;
      break;
    }
    case JobEvent::kAttemptFailed: {
      auto f = decode_job_attempt_failed(e.data, nullptr, e.stream_id);
      if (f.ok()) row.attempts = f->attempt;
      row.error_json = error_object(e.data);
      break;
    }
    case JobEvent::kSucceeded: {
      auto s = decode_job_succeeded(e.data, nullptr, e.stream_id);
      if (s.ok()) {
        row.attempts = s->attempt;
        row.started_ms = s->started_at_ms;
        row.input_tokens = s->usage.input_tokens;
        row.output_tokens = s->usage.output_tokens;
        row.cached_tokens = s->usage.cached_tokens;
        row.latency_ms = s->latency_ms;
        row.finish_reason = s->finish_reason;
      }
      row.finished_ms = e.recorded_at_ms;
      row.result_json = e.data;
      row.error_json.reset();
      break;
    }
    case JobEvent::kFailed: {
      auto f = decode_job_failed(e.data, nullptr, e.stream_id);
      if (f.ok()) row.attempts = f->attempt;
      row.finished_ms = e.recorded_at_ms;
      row.error_json = error_object(e.data);
      break;
    }
    case JobEvent::kCancelled:
      row.finished_ms = e.recorded_at_ms;
      break;
    case JobEvent::kConsumed:
    case JobEvent::kConsumeFailed:
      row.acknowledged_ms = e.recorded_at_ms;
      break;
  }
}

}  // namespace bl
