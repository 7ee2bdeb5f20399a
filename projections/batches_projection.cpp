#include "projections/batches_projection.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/job_events.hpp"
#include "core/job_lifecycle.hpp"
#include "core/json.hpp"
#include "projections/batch_queries.hpp"

namespace bl {
namespace {

using Rows = std::unordered_map<Uuid, BatchRow, UuidHash>;

// The batch of each job stream in the page that belongs to one. JobSubmitted carries it; for
// the other events it is looked up from the job's first event in the log.
std::unordered_map<Uuid, Uuid, UuidHash> batches_of_jobs(pqxx::transaction_base& tx,
                                                         const std::vector<RecordedEvent>& events) {
  std::unordered_map<Uuid, Uuid, UuidHash> out;
  std::unordered_set<Uuid, UuidHash> unknown;
  for (const auto& e : events) {
    if (e.stream_type != kJobStreamType) continue;
    if (e.version == 1) {
      auto s = decode_job_submitted(e.data, nullptr, e.stream_id);
      if (s.ok() && s->batch_id) out.emplace(e.stream_id, *s->batch_id);
    } else if (out.count(e.stream_id) == 0) {
      unknown.insert(e.stream_id);
    }
  }
  for (const auto& id : out)
    unknown.erase(id.first);
  if (unknown.empty()) return out;
  const std::vector<Uuid> ids(unknown.begin(), unknown.end());
  for (const auto& r : tx.exec_params("SELECT stream_id::text, data ->> 'batch_id' FROM events "
                                      "WHERE stream_id = ANY($1::uuid[])"
                                      " AND version = 1 AND data ? 'batch_id'",
                                      pg_uuid_array(ids))) {
    auto job = Uuid::parse(pg_view(r[0]));
    auto batch = Uuid::parse(pg_view(r[1]));
    if (job && batch) out.emplace(*job, *batch);
  }
  return out;
}

void count_job_event(BatchRow& b, const RecordedEvent& e) {
  if (is_ended(b.status)) return;  // the final figures came from the manager
  const auto type = parse_job_event(e.type);
  if (!type) return;
  BatchCounts& c = b.counts;
  bool terminal = true;
  switch (*type) {
    case JobEvent::kSubmitted:
      ++c.pending;
      return;
    case JobEvent::kAttemptFailed:
      ++c.retries;
      return;
    case JobEvent::kSucceeded: {
      ++c.succeeded;
      auto s = decode_job_succeeded(e.data, nullptr, e.stream_id);
      if (s.ok()) {
        c.input_tokens += s->usage.input_tokens;
        c.output_tokens += s->usage.output_tokens;
        c.cached_tokens += s->usage.cached_tokens;
        c.cost_nano_usd += s->usage.cost_nano_usd;
      }
      break;
    }
    case JobEvent::kFailed:
      ++c.failed;
      break;
    case JobEvent::kCancelled: {
      auto doc = parse_json(e.data);
      const bool expired = doc.ok() && json_string(*doc, "reason") == "batch_expired";
      ++(expired ? c.expired : c.cancelled);
      break;
    }
    case JobEvent::kConsumed:
    case JobEvent::kConsumeFailed:
      terminal = false;
      break;
  }
  if (!terminal) return;
  c.pending = std::max(0, c.pending - 1);
  if (!b.first_result_ms) b.first_result_ms = e.recorded_at_ms;
  b.last_result_ms = e.recorded_at_ms;
  if (c.pending == 0 && c.total > 0 && !b.finalizing_ms) b.finalizing_ms = e.recorded_at_ms;
}

std::optional<std::string> opt_uuid_text(const std::optional<Uuid>& id) {
  return id ? std::optional<std::string>(id->to_string()) : std::nullopt;
}

void write_row(pqxx::transaction_base& tx, const BatchRow& b) {
  const BatchCounts& c = b.counts;
  tx.exec_params(
      "INSERT INTO batches AS b (batch_id, version, org_id, workspace_id, api, status, endpoint,"
      " completion_window, model, input_file_id, metadata, errors, output_file_id, error_file_id,"
      " total, pending, succeeded, failed, cancelled, expired, retries, input_tokens,"
      " output_tokens, cached_tokens, cost_nano_usd, created_at, expires_at, in_progress_at,"
      " finalizing_at, completed_at, failed_at, expired_at, cancelling_at, cancelled_at,"
      " first_result_at, last_result_at, deleted_at)"
      " SELECT $1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10::uuid, $11::jsonb, $12::jsonb,"
      " $13::uuid, $14::uuid, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,"
      " to_timestamp(a[1] / 1000.0), to_timestamp(a[2] / 1000.0), to_timestamp(a[3] / 1000.0),"
      " to_timestamp(a[4] / 1000.0), to_timestamp(a[5] / 1000.0), to_timestamp(a[6] / 1000.0),"
      " to_timestamp(a[7] / 1000.0), to_timestamp(a[8] / 1000.0), to_timestamp(a[9] / 1000.0),"
      " to_timestamp(a[10] / 1000.0), to_timestamp(a[11] / 1000.0),"
      " CASE WHEN $27 THEN now() END"
      " FROM (SELECT $26::bigint[] AS a) t"
      " ON CONFLICT (batch_id) DO UPDATE SET version = EXCLUDED.version,"
      " status = EXCLUDED.status, model = EXCLUDED.model, metadata = EXCLUDED.metadata,"
      " errors = EXCLUDED.errors, output_file_id = EXCLUDED.output_file_id,"
      " error_file_id = EXCLUDED.error_file_id, total = EXCLUDED.total,"
      " pending = EXCLUDED.pending, succeeded = EXCLUDED.succeeded, failed = EXCLUDED.failed,"
      " cancelled = EXCLUDED.cancelled, expired = EXCLUDED.expired, retries = EXCLUDED.retries,"
      " input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens,"
      " cached_tokens = EXCLUDED.cached_tokens, cost_nano_usd = EXCLUDED.cost_nano_usd,"
      " in_progress_at = EXCLUDED.in_progress_at, finalizing_at = EXCLUDED.finalizing_at,"
      " completed_at = EXCLUDED.completed_at, failed_at = EXCLUDED.failed_at,"
      " expired_at = EXCLUDED.expired_at, cancelling_at = EXCLUDED.cancelling_at,"
      " cancelled_at = EXCLUDED.cancelled_at, first_result_at = EXCLUDED.first_result_at,"
      " last_result_at = EXCLUDED.last_result_at,"
      " deleted_at = COALESCE(b.deleted_at, EXCLUDED.deleted_at)",
      b.batch_id.to_string(), b.version, b.org_id, b.workspace_id,
      std::string(batch_api_name(b.api)), std::string(batch_status_name(b.status)), b.endpoint,
      b.completion_window, b.model, opt_uuid_text(b.input_file_id), b.metadata_box, b.errors_json,
      opt_uuid_text(b.output_file_id), opt_uuid_text(b.error_file_id), c.total, c.pending,
      c.succeeded, c.failed, c.cancelled, c.expired, c.retries, c.input_tokens, c.output_tokens,
      c.cached_tokens, c.cost_nano_usd,
      pg_nullable_int_array({b.created_ms, b.expires_ms, b.in_progress_ms, b.finalizing_ms,
                             b.completed_ms, b.failed_ms, b.expired_ms, b.cancelling_ms,
                             b.cancelled_ms, b.first_result_ms, b.last_result_ms}),
      b.deleted);
}

}  // namespace

void BatchesProjection::apply(pqxx::transaction_base& tx,
                              const std::vector<RecordedEvent>& events) {
  const auto job_batches = batches_of_jobs(tx, events);
  std::unordered_set<Uuid, UuidHash> touched_set;
  for (const auto& e : events) {
    if (e.stream_type == kBatchStreamType) touched_set.insert(e.stream_id);
  }
  for (const auto& [job, batch] : job_batches)
    touched_set.insert(batch);
  if (touched_set.empty()) return;
  const std::vector<Uuid> touched(touched_set.begin(), touched_set.end());
  Rows rows;
  for (auto& r : load_batch_rows(tx, touched))
    rows.emplace(r.batch_id, std::move(r));

  for (const auto& e : events) {
    if (e.stream_type == kBatchStreamType) {
      BatchRow& row = rows[e.stream_id];
      if (e.version > row.version) fold_batch_event(row, e);
    } else if (e.stream_type == kJobStreamType) {
      auto batch = job_batches.find(e.stream_id);
      if (batch == job_batches.end()) continue;
      auto row = rows.find(batch->second);
      // A batch's jobs are created with or after its BatchSubmitted, so the row exists.
      if (row != rows.end() && row->second.version > 0) count_job_event(row->second, e);
    }
  }
  for (const auto& [id, row] : rows) {
    if (row.version > 0) write_row(tx, row);
  }
}

}  // namespace bl
