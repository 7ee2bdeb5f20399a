#include "projections/usage_projection.hpp"

#include <unordered_map>

#include "core/job_events.hpp"
#include "core/job_lifecycle.hpp"

namespace bl {
namespace {

struct Submitter {
  EventMetadata metadata;
  std::string model;
  std::optional<std::string> batch_id;
};

// Who submitted each job and for which model, from the jobs' first events.
std::unordered_map<Uuid, Submitter, UuidHash> submitters(pqxx::transaction_base& tx,
                                                         const std::vector<Uuid>& jobs) {
  std::unordered_map<Uuid, Submitter, UuidHash> out;
  const auto rows = tx.exec_params(
      "SELECT stream_id::text, metadata::text, data ->> 'model', data ->> 'batch_id' FROM events"
      " WHERE stream_id = ANY($1::uuid[]) AND version = 1",
      pg_uuid_array(jobs));
  for (const auto& r : rows) {
    auto id = Uuid::parse(pg_view(r[0]));
    if (!id) continue;
    Submitter s;
    s.metadata = decode_metadata(pg_view(r[1]));
    s.model = r[2].is_null() ? "" : r[2].as<std::string>();
    if (!r[3].is_null()) s.batch_id = r[3].as<std::string>();
    out.emplace(*id, std::move(s));
  }
  return out;
}

}  // namespace

void UsageProjection::apply(pqxx::transaction_base& tx, const std::vector<RecordedEvent>& events) {
  const std::string succeeded(job_event_type(JobEvent::kSucceeded));
  std::vector<Uuid> jobs;
  std::vector<JobSucceeded> results;
  std::unordered_map<Uuid, bool, UuidHash> seen;
  for (const auto& e : events) {
    if (e.stream_type != kJobStreamType || e.type != succeeded) continue;
    if (!seen.emplace(e.stream_id, true).second) continue;
    auto r = decode_job_succeeded(e.data, nullptr, e.stream_id);
    if (!r.ok()) continue;  // not a result this build can read: nothing to count
    jobs.push_back(e.stream_id);
    results.push_back(std::move(*r));
  }
  if (jobs.empty()) return;
  const auto who = submitters(tx, jobs);

  std::vector<Uuid> ids;
  std::vector<std::optional<std::string>> org, ws, key, model, batch, reason;
  std::vector<std::optional<std::int64_t>> in_tok, out_tok, cached, cost, latency, ttft, finished;
  std::vector<std::optional<std::string>> itl;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto it = who.find(jobs[i]);
    if (it == who.end()) continue;  // a result without a submission is not an inference
    const JobSucceeded& r = results[i];
    ids.push_back(jobs[i]);
    org.push_back(it->second.metadata.org_id);
    ws.push_back(it->second.metadata.workspace_id);
    key.push_back(it->second.metadata.key_id);
    model.push_back(it->second.model);
    batch.push_back(it->second.batch_id);
    in_tok.push_back(r.usage.input_tokens);
    out_tok.push_back(r.usage.output_tokens);
    cached.push_back(r.usage.cached_tokens);
    cost.push_back(r.usage.cost_nano_usd);
    latency.push_back(r.latency_ms);
    ttft.push_back(r.ttft_ms >= 0 ? std::optional(r.ttft_ms) : std::nullopt);
    itl.push_back(r.mean_itl_ms >= 0 ? std::optional(std::to_string(r.mean_itl_ms)) : std::nullopt);
    reason.push_back(r.finish_reason);
    finished.push_back(r.finished_at_ms);
  }
  if (ids.empty()) return;
  tx.exec_params(
      "WITH recorded AS ("
      " INSERT INTO usage_records (job_id, org_id, workspace_id, key_id, model, batch_id,"
      " input_tokens, output_tokens, cached_tokens, cost_nano_usd, latency_ms, ttft_ms,"
      " mean_itl_ms, finish_reason, finished_at)"
      " SELECT u.id, u.org, u.ws, u.key, u.model, u.batch, u.in_tok, u.out_tok, u.cached, u.cost,"
      " u.latency, u.ttft, u.itl, u.reason, to_timestamp(u.finished / 1000.0)"
      " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[],"
      " $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[],"
      " $13::float8[], $14::text[], $15::bigint[])"
      " AS u(id, org, ws, key, model, batch, in_tok, out_tok, cached, cost, latency, ttft, itl,"
      " reason, finished)"
      " ON CONFLICT (job_id) DO NOTHING"
      " RETURNING org_id, workspace_id, key_id, model, finished_at, input_tokens, output_tokens,"
      " cached_tokens, cost_nano_usd)"
      " INSERT INTO usage_daily AS d (org_id, day, workspace_id, key_id, model, requests,"
      " input_tokens, output_tokens, cached_tokens, cost_nano_usd)"
      " SELECT org_id, (finished_at AT TIME ZONE 'UTC')::date, workspace_id, key_id, model,"
      " count(*), sum(input_tokens), sum(output_tokens), sum(cached_tokens), sum(cost_nano_usd)"
      " FROM recorded GROUP BY 1, 2, 3, 4, 5"
      " ON CONFLICT (org_id, day, workspace_id, key_id, model) DO UPDATE SET"
      " requests = d.requests + EXCLUDED.requests,"
      " input_tokens = d.input_tokens + EXCLUDED.input_tokens,"
      " output_tokens = d.output_tokens + EXCLUDED.output_tokens,"
      " cached_tokens = d.cached_tokens + EXCLUDED.cached_tokens,"
      " cost_nano_usd = d.cost_nano_usd + EXCLUDED.cost_nano_usd",
      pg_uuid_array(ids), pg_nullable_text_array(org), pg_nullable_text_array(ws),
      pg_nullable_text_array(key), pg_nullable_text_array(model), pg_nullable_text_array(batch),
      pg_nullable_int_array(in_tok), pg_nullable_int_array(out_tok), pg_nullable_int_array(cached),
      pg_nullable_int_array(cost), pg_nullable_int_array(latency), pg_nullable_int_array(ttft),
      pg_nullable_text_array(itl), pg_nullable_text_array(reason), pg_nullable_int_array(finished));
}

}  // namespace bl
