#include "core/job_cancellation.hpp"

#include <algorithm>

#include "core/event_log.hpp"
#include "core/job_lifecycle.hpp"

namespace bl {
namespace {

// Jobs cancelled per transaction: each takes one advisory lock per job stream, and the lock
// table is shared by the whole server.
constexpr std::size_t kCancelSlice = 1000;

}  // namespace

Result<std::vector<Uuid>> cancel_queued_job_streams(pqxx::connection& conn,
                                                    const std::vector<Uuid>& jobs,
                                                    std::string_view reason,
                                                    const EventMetadata& metadata) {
  std::vector<Uuid> cancelled;
  const std::string data = encode(JobCancelled{std::string(reason)});
  const std::string meta = encode_metadata(metadata);
  for (std::size_t first = 0; first < jobs.size(); first += kCancelSlice) {
    const std::vector<Uuid> ids(
        jobs.begin() + static_cast<std::ptrdiff_t>(first),
        jobs.begin() + static_cast<std::ptrdiff_t>(std::min(jobs.size(), first + kCancelSlice)));
    auto done = pg_call([&]() -> Result<std::vector<Uuid>> {
      pqxx::work tx(conn);
      lock_streams(tx, ids);  // first statement: our xid follows every earlier writer's
      const StreamHeads heads = read_stream_heads(tx, ids);
      std::vector<StreamAppend> appends;
      std::vector<Uuid> slice;
      for (const Uuid& id : ids) {
        auto head = heads.find(id);
        if (head == heads.end()) continue;
        const JobState state = state_of_last_event(head->second.last_type);
        if (!check_transition(state, JobEvent::kCancelled).ok()) continue;  // finished meanwhile
        appends.push_back(StreamAppend{
            id,
            std::string(kJobStreamType),
            head->second.version,
            {NewEvent{std::string(job_event_type(JobEvent::kCancelled)), data, meta}}});
        slice.push_back(id);
      }
      insert_events(tx, appends);
      tx.exec_params("DELETE FROM outbox WHERE stream_id = ANY($1::uuid[])", pg_uuid_array(slice));
      tx.commit();
      return slice;
    });
    if (!done.ok()) return done.error();
    cancelled.insert(cancelled.end(), done->begin(), done->end());
  }
  return cancelled;
}

}  // namespace bl
