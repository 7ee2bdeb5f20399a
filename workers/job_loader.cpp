#include "workers/job_loader.hpp"

#include <unordered_map>

#include "core/event_log.hpp"
#include "core/log.hpp"
#include "projections/conversation_context.hpp"

namespace bl {

std::vector<LoadedJob> load_jobs(pqxx::connection& conn, const DataKeyring& ring,
                                 std::vector<Delivery> deliveries, const Config* config) {
  std::vector<Uuid> ids;
  ids.reserve(deliveries.size());
  for (const auto& d : deliveries)
    ids.push_back(d.job_id);
  std::vector<RecordedEvent> events;
  {
    pqxx::read_transaction tx(conn);
    events = read_streams(tx, ids);
  }
  struct StreamInfo {
    const RecordedEvent* submitted = nullptr;
    const RecordedEvent* last = nullptr;
    int failed_attempts = 0;
  };
  std::unordered_map<Uuid, StreamInfo, UuidHash> streams;
  for (const auto& e : events) {
    StreamInfo& s = streams[e.stream_id];
    if (e.version == 1) s.submitted = &e;
    s.last = &e;
    if (e.type == job_event_type(JobEvent::kAttemptFailed)) ++s.failed_attempts;
  }
  std::vector<LoadedJob> out;
  out.reserve(deliveries.size());
  for (auto& d : deliveries) {
    LoadedJob job;
    job.delivery = std::move(d);
    auto it = streams.find(job.delivery.job_id);
    if (it == streams.end() || it->second.submitted == nullptr) {
      job.skip = true;  // no such job (a stray entry): nothing to do
      out.push_back(std::move(job));
      continue;
    }
    const StreamInfo& s = it->second;
    job.version = s.last->version;
    job.state = state_of_last_event(s.last->type);
    job.metadata = decode_metadata(s.submitted->metadata);
    if (is_terminal(job.state) || job.delivery.attempt != s.failed_attempts + 1) {
      job.skip = true;
      out.push_back(std::move(job));
      continue;
    }
    auto submitted = decode_job_submitted(s.submitted->data, &ring, job.delivery.job_id);
    if (!submitted.ok()) {
      log::error("worker.job_unreadable", {{"job_id", log::id(job.delivery.job_id.to_string())}});
      job.unreadable = true;
    } else {
      job.submitted = std::move(*submitted);
      if (config != nullptr &&
          !add_conversation_history(conn, *config, job.delivery.job_id, job.metadata, job.submitted)
               .ok()) {
        job.unreadable = true;
      }
    }
    out.push_back(std::move(job));
  }
  return out;
}

}  // namespace bl
