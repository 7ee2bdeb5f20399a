#include "workers/result_writer.hpp"

#include <unordered_set>

#include "core/event_log.hpp"
#include "core/job_events.hpp"

namespace bl {

std::vector<bool> write_results(pqxx::connection& conn, const std::vector<ResultWrite>& items) {
  std::vector<bool> recorded(items.size(), false);
  std::vector<Uuid> ids;
  ids.reserve(items.size());
  for (const auto& it : items)
    ids.push_back(it.delivery.job_id);

  pqxx::work tx(conn);
  lock_streams(tx, ids);  // first statement: our xid comes after every earlier writer's
  const StreamHeads heads = read_stream_heads(tx, ids);
  std::vector<StreamAppend> appends;
  std::vector<OutboxRow> retries;
  std::unordered_set<Uuid, UuidHash> taken;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const ResultWrite& w = items[i];
    auto head = heads.find(w.delivery.job_id);
    if (head == heads.end() || head->second.version != w.expected_version) continue;
    if (!check_transition(state_of_last_event(head->second.last_type), w.event).ok()) continue;
    if (!taken.insert(w.delivery.job_id).second) continue;  // two results for one job
    appends.push_back(
        StreamAppend{w.delivery.job_id,
                     std::string(kJobStreamType),
                     w.expected_version,
                     {NewEvent{std::string(job_event_type(w.event)), w.data, w.metadata}}});
    if (w.retry) retries.push_back(*w.retry);
    recorded[i] = true;
  }
  insert_events(tx, appends);
  insert_outbox_rows(tx, retries);
  tx.commit();
  return recorded;
}

}  // namespace bl
