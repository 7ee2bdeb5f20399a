#include "projections/batch_row.hpp"

#include "core/job_events.hpp"
#include "core/json.hpp"

namespace bl {
namespace {

using S = BatchStatus;
constexpr std::pair<BatchStatus, std::string_view> kNames[] = {
    {S::kNone, "none"},
    {S::kValidating, "validating"},
    {S::kFailed, "failed"},
    {S::kInProgress, "in_progress"},
    {S::kFinalizing, "finalizing"},
    {S::kCompleted, "completed"},
    {S::kExpired, "expired"},
    {S::kCancelling, "cancelling"},
    {S::kCancelled, "cancelled"},
};

void apply_finalized(BatchRow& row, const RecordedEvent& e) {
  auto f = decode_batch_finalized(e.data);
  if (!f.ok()) return;
  row.output_file_id = f->output_file_id;
  row.error_file_id = f->error_file_id;
  if (f->finalizing_at_ms > 0 && !row.finalizing_ms) row.finalizing_ms = f->finalizing_at_ms;
  // The final figures are the manager's count from the log; they replace the running sums.
  row.counts = f->counts;
  row.counts.pending = 0;
}

}  // namespace

std::string_view batch_status_name(BatchStatus s) {
  for (const auto& [status, name] : kNames) {
    if (status == s) return name;
  }
  return "none";
}

std::optional<BatchStatus> parse_batch_status(std::string_view name) {
  for (const auto& [status, n] : kNames) {
    if (n == name) return status;
  }
  return std::nullopt;
}

bool is_ended(BatchStatus s) {
  return s == S::kFailed || s == S::kCompleted || s == S::kExpired || s == S::kCancelled;
}

BatchStatus BatchRow::shown_status() const {
  if (status == S::kInProgress && counts.total > 0 && counts.pending == 0) return S::kFinalizing;
  return status;
}

void fold_batch_event(BatchRow& row, const RecordedEvent& e) {
  const std::int64_t at = e.recorded_at_ms;
  if (e.type == batch_event::kSubmitted) {
    auto s = decode_batch_submitted(e.data, nullptr, e.stream_id);
    if (!s.ok()) return;
    const EventMetadata m = decode_metadata(e.metadata);
    row.batch_id = e.stream_id;
    row.org_id = m.org_id;
    row.workspace_id = m.workspace_id;
    row.api = s->api;
    row.status = S::kValidating;
    row.endpoint = s->endpoint;
    row.completion_window = s->completion_window;
    row.model = s->model;
    row.input_file_id = s->input_file_id;
    row.created_ms = at;
    row.expires_ms = s->expires_at_ms;
    auto doc = parse_json(e.data);
    if (doc.ok()) {
      if (const JsonValue* box = json_member(*doc, "metadata")) row.metadata_box = to_json(*box);
    }
  } else if (e.type == batch_event::kValidated) {
    auto v = decode_batch_validated(e.data);
    row.status = S::kInProgress;
    row.in_progress_ms = at;
    if (v.ok()) row.counts.total = v->total;
  } else if (e.type == batch_event::kFailed) {
    row.status = S::kFailed;
    row.failed_ms = at;
    auto doc = parse_json(e.data);
    if (doc.ok()) {
      if (const JsonValue* errors = json_member(*doc, "errors")) row.errors_json = to_json(*errors);
    }
  } else if (e.type == batch_event::kCancelRequested) {
    row.status = S::kCancelling;
    row.cancelling_ms = at;
  } else if (e.type == batch_event::kCompleted) {
    row.status = S::kCompleted;
    row.completed_ms = at;
    apply_finalized(row, e);
  } else if (e.type == batch_event::kExpired) {
    row.status = S::kExpired;
    row.expired_ms = at;
    apply_finalized(row, e);
  } else if (e.type == batch_event::kCancelled) {
    row.status = S::kCancelled;
    row.cancelled_ms = at;
    apply_finalized(row, e);
  } else if (e.type == batch_event::kDeleted) {
    row.deleted = true;
  } else {
    return;
  }
  row.batch_id = e.stream_id;
  row.version = e.version;
}

}  // namespace bl
