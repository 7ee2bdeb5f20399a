#include "projections/jobs_projection.hpp"

#include <unordered_map>

#include "core/job_events.hpp"
#include "projections/job_row.hpp"

namespace bl {

void JobsProjection::apply(pqxx::transaction_base& tx, const std::vector<RecordedEvent>& events) {
  std::vector<JobRow> rows;
  std::unordered_map<Uuid, std::size_t, UuidHash> index;
  for (const auto& e : events) {
    if (e.stream_type != kJobStreamType) continue;
    auto [it, inserted] = index.try_emplace(e.stream_id, rows.size());
    if (inserted) rows.emplace_back();
    fold_job_event(rows[it->second], e);
  }
  if (rows.empty()) return;

  std::vector<Uuid> ids;
  std::vector<std::optional<std::string>> org, ws, batch, custom, model, status, reason, result,
      error, conversation, reference;
  std::vector<std::optional<std::int64_t>> priority, attempts, version, created, updated, started,
      finished, in_tok, out_tok, cached_tok, latency, acknowledged;
  for (const JobRow& r : rows) {
    ids.push_back(r.job_id);
    org.push_back(r.org_id);
    ws.push_back(r.workspace_id);
    batch.push_back(r.batch_id ? std::optional(r.batch_id->to_string()) : std::nullopt);
    custom.push_back(r.custom_id);
    model.push_back(r.model);
    status.push_back(std::string(job_state_name(r.status)));
    reason.push_back(r.finish_reason);
    result.push_back(r.result_json);
    error.push_back(r.error_json);
    priority.push_back(r.priority ? std::optional<std::int64_t>(*r.priority) : std::nullopt);
    attempts.push_back(r.attempts);
    version.push_back(r.version);
    created.push_back(r.created_ms);
    updated.push_back(r.updated_ms);
    started.push_back(r.started_ms);
    finished.push_back(r.finished_ms);
    in_tok.push_back(r.input_tokens);
    out_tok.push_back(r.output_tokens);
    cached_tok.push_back(r.cached_tokens);
    latency.push_back(r.latency_ms);
    conversation.push_back(r.conversation_id ? std::optional(r.conversation_id->to_string())
                                             : std::nullopt);
    reference.push_back(r.client_reference_box);
    acknowledged.push_back(r.acknowledged_ms);
  }
  tx.exec_params(
      "INSERT INTO jobs AS j (job_id, org_id, workspace_id, batch_id, custom_id, model, priority,"
      " status, attempts, version, created_at, updated_at, started_at, finished_at, input_tokens,"
      " output_tokens, cached_tokens, latency_ms, finish_reason, result, error, conversation_id,"
      " client_reference, acknowledged_at)"
      " SELECT u.id, coalesce(u.org, ''), coalesce(u.ws, ''), u.batch, u.custom,"
      " coalesce(u.model, ''), coalesce(u.priority, 500), u.status, u.attempts, u.version,"
      " to_timestamp(coalesce(u.created, u.updated) / 1000.0), to_timestamp(u.updated / 1000.0),"
      " to_timestamp(u.started / 1000.0), to_timestamp(u.finished / 1000.0), u.in_tok, u.out_tok,"
      " u.cached_tok, u.latency, u.reason, u.result, u.error, u.conversation, u.reference,"
      " to_timestamp(u.acknowledged / 1000.0)"
      " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[],"
      " $7::int[], $8::text[], $9::int[], $10::int[], $11::bigint[], $12::bigint[],"
      " $13::bigint[], $14::bigint[], $15::int[], $16::int[], $17::int[], $18::int[], $19::text[],"
      " $20::jsonb[], $21::jsonb[], $22::uuid[], $23::jsonb[], $24::bigint[])"
      " AS u(id, org, ws, batch, custom, model, priority, status, attempts, version, created,"
      " updated, started, finished, in_tok, out_tok, cached_tok, latency, reason, result, error,"
      " conversation, reference, acknowledged)"
      " ON CONFLICT (job_id) DO UPDATE SET"
      " status = EXCLUDED.status, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at,"
      " attempts = GREATEST(j.attempts, EXCLUDED.attempts),"
      " started_at = COALESCE(EXCLUDED.started_at, j.started_at),"
      " finished_at = COALESCE(EXCLUDED.finished_at, j.finished_at),"
      " input_tokens = COALESCE(EXCLUDED.input_tokens, j.input_tokens),"
      " output_tokens = COALESCE(EXCLUDED.output_tokens, j.output_tokens),"
      " cached_tokens = COALESCE(EXCLUDED.cached_tokens, j.cached_tokens),"
      " latency_ms = COALESCE(EXCLUDED.latency_ms, j.latency_ms),"
      " finish_reason = COALESCE(EXCLUDED.finish_reason, j.finish_reason),"
      " result = COALESCE(EXCLUDED.result, j.result),"
      " conversation_id = COALESCE(EXCLUDED.conversation_id, j.conversation_id),"
      " client_reference = COALESCE(EXCLUDED.client_reference, j.client_reference),"
      " acknowledged_at = COALESCE(EXCLUDED.acknowledged_at, j.acknowledged_at),"
      " error = CASE WHEN EXCLUDED.status = 'succeeded' THEN NULL"
      "              ELSE COALESCE(EXCLUDED.error, j.error) END"
      " WHERE j.version < EXCLUDED.version",
      pg_uuid_array(ids), pg_nullable_text_array(org), pg_nullable_text_array(ws),
      pg_nullable_text_array(batch), pg_nullable_text_array(custom), pg_nullable_text_array(model),
      pg_nullable_int_array(priority), pg_nullable_text_array(status),
      pg_nullable_int_array(attempts), pg_nullable_int_array(version),
      pg_nullable_int_array(created), pg_nullable_int_array(updated),
      pg_nullable_int_array(started), pg_nullable_int_array(finished),
      pg_nullable_int_array(in_tok), pg_nullable_int_array(out_tok),
      pg_nullable_int_array(cached_tok), pg_nullable_int_array(latency),
      pg_nullable_text_array(reason), pg_nullable_text_array(result), pg_nullable_text_array(error),
      pg_nullable_text_array(conversation), pg_nullable_text_array(reference),
      pg_nullable_int_array(acknowledged));
}

}  // namespace bl
