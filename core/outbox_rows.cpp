#include "core/outbox_rows.hpp"

#include "core/event_log.hpp"

namespace bl {

void insert_outbox_rows(pqxx::transaction_base& tx, const std::vector<OutboxRow>& rows) {
  if (rows.empty()) return;
  std::vector<Uuid> ids;
  std::vector<std::string> queues;
  std::vector<std::int64_t> attempts, priorities, due;
  for (const auto& d : rows) {
    ids.push_back(d.job_id);
    queues.push_back(d.queue);
    attempts.push_back(d.attempt);
    priorities.push_back(d.priority);
    due.push_back(d.due_at_ms);
  }
  tx.exec_params(
      "INSERT INTO outbox (kind, queue, stream_id, attempt, priority, due_at) "
      "SELECT 'job', q, s, a, p, CASE WHEN d = 0 THEN now() ELSE to_timestamp(d / 1000.0) END "
      "FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::bigint[]) AS u(s, q, a, p, d)",
      pg_uuid_array(ids), pg_text_array(queues), pg_int_array(attempts), pg_int_array(priorities),
      pg_int_array(due));
  notify(tx, kOutboxChannel);
}

}  // namespace bl
