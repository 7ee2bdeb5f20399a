#include "projections/batch_manager/batch_jobs.hpp"

#include <unordered_map>

#include "core/json.hpp"

namespace bl {

std::vector<Uuid> sequential_job_ids(std::size_t count) {
  std::vector<Uuid> out;
  out.reserve(count);
  // The time and the first 64 random bits come from one UUIDv7; the last 32 bits hold the
  // line index (a batch has far fewer than 2^32 lines).
  const auto bytes = Uuid::generate_v7().bytes();
  for (std::size_t n = 0; n < count; ++n) {
    auto b = bytes;
    const auto v = static_cast<std::uint32_t>(n);
    b[12] = static_cast<std::uint8_t>(v >> 24);
    b[13] = static_cast<std::uint8_t>(v >> 16);
    b[14] = static_cast<std::uint8_t>(v >> 8);
    b[15] = static_cast<std::uint8_t>(v);
    out.emplace_back(b);
  }
  return out;
}

Result<std::vector<BatchJob>> load_batch_jobs(pqxx::transaction_base& tx, const DataKeyring& ring,
                                              const Uuid& batch, BatchJobContent content) {
  const bool with_requests = content == BatchJobContent::kRequests;
  const DataKeyring* open = content == BatchJobContent::kNone ? nullptr : &ring;
  // The request is the bulk of a batch's data: leave it in the database unless asked for.
  const auto rows = tx.exec_params(
      "SELECT e.stream_id::text, e.version, e.event_type,"
      " CASE WHEN e.event_type = 'JobSubmitted' AND NOT $2 THEN (e.data - 'request')::text"
      " ELSE e.data::text END, e.metadata::text,"
      " (extract(epoch FROM e.recorded_at) * 1000)::bigint"
      " FROM events e WHERE e.stream_id IN (SELECT s.stream_id FROM events s"
      " WHERE s.event_type = 'JobSubmitted' AND s.data ? 'batch_id'"
      " AND s.data ->> 'batch_id' = $1) ORDER BY e.stream_id, e.version",
      batch.to_string(), with_requests);
  std::vector<BatchJob> out;
  for (const auto& r : rows) {
    const auto id = Uuid::parse(pg_view(r[0]));
    if (!id) continue;
    const int version = r[1].as<int>();
    const std::string type = r[2].as<std::string>();
    const std::string_view data = pg_view(r[3]);
    if (version == 1) {
      BatchJob job;
      job.job_id = *id;
      auto s = decode_job_submitted(data, with_requests ? &ring : nullptr, *id);
      if (!s.ok()) return s.error();
      job.custom_id = s->custom_id.value_or("");
      job.model = s->model;
      job.max_tokens = s->max_tokens;
      job.request_json = std::move(s->request_json);
      job.metadata = decode_metadata(pg_view(r[4]));
      out.push_back(std::move(job));
    }
    if (out.empty() || out.back().job_id != *id) continue;  // a stream without JobSubmitted
    BatchJob& job = out.back();
    job.version = version;
    job.state = state_of_last_event(type);
    const auto event = parse_job_event(type);
    if (!event) continue;
    if (is_terminal(state_after(*event)) && job.finished_ms == 0) {
      job.finished_ms = r[5].as<std::int64_t>();
    }
    if (*event == JobEvent::kSucceeded) {
      auto s = decode_job_succeeded(data, open, *id);
      if (!s.ok()) return s.error();
      job.succeeded = std::move(*s);
    } else if (*event == JobEvent::kFailed) {
      auto f = decode_job_failed(data, open, *id);
      if (!f.ok()) return f.error();
      job.failed = std::move(*f);
    } else if (*event == JobEvent::kCancelled) {
      auto doc = parse_json(data);
      job.cancel_reason =
          doc.ok() ? std::string(json_string(*doc, "reason").value_or("client")) : "client";
    }
  }
  return out;
}

}  // namespace bl
