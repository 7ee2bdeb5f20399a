#include "workers/optimizer/run_jobs.hpp"

#include "core/json.hpp"

namespace bl {

Result<Uuid> add_job(JobSubmissions* out, std::string_view model, std::string_view system,
                     std::string_view user, int max_tokens, const EventMetadata& meta,
                     const DataKeyring& ring) {
  JsonWriter request;
  request.begin_object().key("messages").begin_array();
  if (!system.empty()) {
    request.begin_object().field("role", "system").field("content", system).end_object();
  }
  request.begin_object().field("role", "user").field("content", user).end_object();
  request.end_array();
  request.key("parameters").begin_object();
  request.field("max_tokens", max_tokens).field("temperature", 0);
  request.end_object().end_object();

  const Uuid id = Uuid::generate_v7();
  JobSubmitted e;
  e.model = std::string(model);
  e.priority = kRunJobPriority;
  e.max_tokens = max_tokens;
  e.request_json = request.str();
  auto data = encode(e, ring, id);
  if (!data.ok()) return data.error();
  return add_submitted_job(out, e, std::move(*data), id, meta);
}

Uuid add_submitted_job(JobSubmissions* out, const JobSubmitted& job, std::string data,
                       const Uuid& id, const EventMetadata& meta) {
  out->appends.push_back(StreamAppend{id,
                                      std::string(kJobStreamType),
                                      0,
                                      {NewEvent{std::string(job_event_type(JobEvent::kSubmitted)),
                                                std::move(data), encode_metadata(meta)}}});
  out->deliveries.push_back(OutboxRow{id, job.model, 1, job.priority, 0});
  return id;
}

Result<RunJobOutcomes> load_job_outcomes(pqxx::transaction_base& tx, const DataKeyring* ring,
                                         const std::vector<Uuid>& jobs) {
  RunJobOutcomes out;
  if (jobs.empty()) return out;
  const auto rows = tx.exec_params(
      "SELECT stream_id::text, event_type, data::text FROM events "
      "WHERE stream_id = ANY($1::uuid[]) "
      "AND event_type IN ('JobSucceeded', 'JobFailed', 'JobCancelled')",
      pg_uuid_array(jobs));
  for (const auto& r : rows) {
    auto id = Uuid::parse(pg_view(r[0]));
    if (!id) continue;
    auto event = parse_job_event(pg_view(r[1]));
    if (!event) continue;
    RunJobOutcome o;
    o.state = state_after(*event);
    if (*event == JobEvent::kSucceeded) {
      auto s = decode_job_succeeded(pg_view(r[2]), ring, *id);
      if (!s.ok()) return s.error();
      o.usage = s->usage;
      if (ring != nullptr) {
        auto message = parse_json(s->output_json);
        if (message.ok() && message->IsObject()) {
          o.output = json_string(*message, "content").value_or("");
        }
      }
    }
    out[*id] = std::move(o);
  }
  return out;
}

JobUsage total_usage(const RunJobOutcomes& outcomes, const std::vector<Uuid>& jobs) {
  JobUsage sum;
  for (const auto& id : jobs) {
    auto it = outcomes.find(id);
    if (it == outcomes.end() || it->second.state != JobState::kSucceeded) continue;
    sum.input_tokens += it->second.usage.input_tokens;
    sum.output_tokens += it->second.usage.output_tokens;
    sum.cached_tokens += it->second.usage.cached_tokens;
    sum.cost_nano_usd += it->second.usage.cost_nano_usd;
  }
  return sum;
}

}  // namespace bl
