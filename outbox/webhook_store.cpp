#include "outbox/webhook_store.hpp"

#include <unordered_set>

#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "core/outbox_rows.hpp"

namespace bl {

Result<std::vector<ClaimedWebhook>> claim_webhooks(pqxx::connection& conn, int limit,
                                                   std::int64_t lease_ms) {
  return pg_call([&]() -> Result<std::vector<ClaimedWebhook>> {
    pqxx::work tx(conn);
    const auto rows = tx.exec_params(
        "WITH claimed AS (UPDATE outbox o SET due_at = now() + make_interval(secs => $3 / 1000.0)"
        " WHERE o.id IN (SELECT id FROM outbox WHERE kind = $1 AND due_at <= now()"
        " ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)"
        " RETURNING o.id, o.stream_id, o.attempt)"
        " SELECT c.id, c.stream_id::text, c.attempt, d.delivery_id IS NOT NULL,"
        " d.endpoint_id::text, d.org_id, d.workspace_id, d.body,"
        " (extract(epoch FROM d.occurred_at) * 1000)::bigint,"
        " COALESCE(e.status = 'enabled', false), e.url::text, e.secret::text"
        " FROM claimed c LEFT JOIN webhook_deliveries d ON d.delivery_id = c.stream_id"
        " LEFT JOIN webhook_endpoints e ON e.endpoint_id = d.endpoint_id",
        kOutboxKindWebhook, limit, lease_ms);
    tx.commit();
    std::vector<ClaimedWebhook> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
      ClaimedWebhook w;
      w.outbox_id = r[0].as<std::int64_t>();
      w.delivery_id = Uuid::parse(pg_view(r[1])).value_or(Uuid());
      w.attempt = r[2].as<int>();
      w.found = r[3].as<bool>();
      if (w.found) {
        w.endpoint_id = Uuid::parse(pg_view(r[4])).value_or(Uuid());
        w.org_id = r[5].as<std::string>();
        w.workspace_id = r[6].as<std::string>();
        w.body = r[7].as<std::string>();
        w.occurred_ms = r[8].as<std::int64_t>();
      }
      w.endpoint_enabled = r[9].as<bool>();
      if (w.endpoint_enabled) {
        w.url_box = r[10].as<std::string>();
        w.secret_box = r[11].as<std::string>();
      }
      out.push_back(std::move(w));
    }
    return out;
  });
}

std::vector<bool> record_webhook_attempts(pqxx::connection& conn,
                                          const std::vector<WebhookAttempt>& attempts) {
  std::vector<bool> recorded(attempts.size(), false);
  std::vector<Uuid> ids;
  ids.reserve(attempts.size());
  for (const auto& a : attempts)
    ids.push_back(a.delivery.delivery_id);
  pqxx::work tx(conn);
  lock_streams(tx, ids);  // first statement, also for streams about to be created
  const StreamHeads heads = read_stream_heads(tx, ids);
  std::vector<StreamAppend> appends;
  std::unordered_set<Uuid, UuidHash> taken;
  std::vector<std::int64_t> finished, retried, next_attempt, next_due;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const WebhookAttempt& a = attempts[i];
    const int attempt = a.delivery.attempt;
    auto head = heads.find(a.delivery.delivery_id);
    const int version = head == heads.end() ? 0 : head->second.version;
    if (version != attempt - 1) continue;  // another sender recorded this attempt
    if (!taken.insert(a.delivery.delivery_id).second) continue;  // twice in one batch
    EventMetadata meta;
    meta.org_id = a.delivery.org_id;
    meta.workspace_id = a.delivery.workspace_id;
    appends.push_back({a.delivery.delivery_id,
                       std::string(kWebhookDeliveryStreamType),
                       attempt - 1,
                       {{std::string(webhook_event::kDeliveryAttempted), encode(a.event),
                         encode_metadata(meta)}}});
    if (a.event.outcome == WebhookOutcome::kRetryScheduled) {
      retried.push_back(a.delivery.outbox_id);
      next_attempt.push_back(attempt + 1);
      next_due.push_back(a.event.next_attempt_at_ms);
    } else {
      finished.push_back(a.delivery.outbox_id);
    }
    recorded[i] = true;
  }
  insert_events(tx, appends);
  if (!finished.empty()) {
    tx.exec_params("DELETE FROM outbox WHERE id = ANY($1::bigint[])", pg_int_array(finished));
  }
  if (!retried.empty()) {
    tx.exec_params(
        "UPDATE outbox o SET attempt = u.attempt, due_at = to_timestamp(u.due / 1000.0)"
        " FROM unnest($1::bigint[], $2::int[], $3::bigint[]) AS u(id, attempt, due)"
        " WHERE o.id = u.id",
        pg_int_array(retried), pg_int_array(next_attempt), pg_int_array(next_due));
  }
  tx.commit();
  return recorded;
}

Status defer_webhooks(pqxx::connection& conn, const std::vector<std::int64_t>& outbox_ids,
                      std::int64_t delay_ms) {
  if (outbox_ids.empty()) return {};
  return pg_call([&]() -> Status {
    pqxx::work tx(conn);
    tx.exec_params(
        "UPDATE outbox SET due_at = now() + make_interval(secs => $2 / 1000.0)"
        " WHERE id = ANY($1::bigint[])",
        pg_int_array(outbox_ids), delay_ms);
    tx.commit();
    return {};
  });
}

Result<int> prune_webhook_deliveries(pqxx::connection& conn, int retention_days, int limit) {
  return pg_call([&]() -> Result<int> {
    pqxx::work tx(conn);
    const auto r = tx.exec_params(
        "DELETE FROM webhook_deliveries WHERE delivery_id IN (SELECT delivery_id"
        " FROM webhook_deliveries WHERE status <> 'pending'"
        " AND occurred_at < now() - make_interval(days => $1) LIMIT $2)",
        retention_days, limit);
    tx.commit();
    return static_cast<int>(r.affected_rows());
  });
}

}  // namespace bl
