#include "projections/webhooks_projection.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/batch_events.hpp"
#include "core/job_events.hpp"
#include "core/outbox_rows.hpp"
#include "core/webhook_events.hpp"
#include "projections/webhook_endpoint_row.hpp"
#include "projections/webhook_notice.hpp"
#include "projections/webhook_queries.hpp"

namespace bl {
namespace {

// Events older than this are not notified (a rebuild of the projection must not re-send
// yesterday's news); it matches the default retry window.
constexpr std::int64_t kNotifyHorizonMs = 24LL * 3600 * 1000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using Subscribers = std::map<std::string, std::vector<WebhookEndpointRow>>;  // by workspace

// Enabled endpoints of these workspaces, as of the start of the page.
Subscribers load_subscribers(pqxx::transaction_base& tx,
                             const std::unordered_set<std::string>& workspaces) {
  Subscribers out;
  for (auto& row : enabled_webhook_endpoints(tx, {workspaces.begin(), workspaces.end()}))
    out[row.workspace_id].push_back(std::move(row));
  return out;
}

// Endpoint events of the page change who is subscribed for the events after them.
void apply_to_subscribers(Subscribers& subs, const WebhookEndpointRow& row) {
  for (auto& [workspace, list] : subs) {
    std::erase_if(list,
                  [&](const WebhookEndpointRow& s) { return s.endpoint_id == row.endpoint_id; });
  }
  if (row.created && !row.deleted) subs[row.workspace_id].push_back(row);
}

// Batches created through Anthropic's API are shown as "msgbatch_...".
std::unordered_set<Uuid, UuidHash> anthropic_batches(pqxx::transaction_base& tx,
                                                     const std::vector<Uuid>& batches) {
  std::unordered_set<Uuid, UuidHash> out;
  if (batches.empty()) return out;
  for (const auto& r : tx.exec_params("SELECT stream_id::text FROM events WHERE version = 1"
                                      " AND stream_id = ANY($1::uuid[])"
                                      " AND data->>'api' = 'anthropic'",
                                      pg_uuid_array(batches))) {
    if (auto id = Uuid::parse(pg_view(r[0]))) out.insert(*id);
  }
  return out;
}

void upsert_endpoints(pqxx::transaction_base& tx,
                      const std::unordered_map<Uuid, WebhookEndpointRow, UuidHash>& rows) {
  if (rows.empty()) return;
  std::vector<Uuid> ids;
  std::vector<std::string> org, ws, url, secret, types, status;
  std::vector<std::int64_t> version, created, updated;
  for (const auto& [id, r] : rows) {
    ids.push_back(id);
    org.push_back(r.org_id);
    ws.push_back(r.workspace_id);
    url.push_back(r.created ? r.url_box : "{}");
    secret.push_back(r.created ? r.secret_box : "{}");
    types.push_back(pg_text_array(r.event_types));
    status.push_back(r.deleted ? "deleted" : "enabled");
    version.push_back(r.version);
    created.push_back(r.created ? r.created_ms : r.updated_ms);
    updated.push_back(r.updated_ms);
  }
  // A row whose Created event was in an earlier page exists already: only the later columns
  // change (the version guard makes a replayed page a no-op).
  tx.exec_params(
      "INSERT INTO webhook_endpoints AS w (endpoint_id, org_id, workspace_id, url, secret,"
      " event_types, status, version, created_at, updated_at)"
      " SELECT u.id, u.org, u.ws, u.url::jsonb, u.secret::jsonb, u.types::text[], u.status,"
      " u.version, to_timestamp(u.created / 1000.0), to_timestamp(u.updated / 1000.0)"
      " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
      " $7::text[], $8::int[], $9::bigint[], $10::bigint[])"
      " AS u(id, org, ws, url, secret, types, status, version, created, updated)"
      " ON CONFLICT (endpoint_id) DO UPDATE SET status = EXCLUDED.status,"
      " version = EXCLUDED.version, updated_at = EXCLUDED.updated_at"
      " WHERE w.version < EXCLUDED.version",
      pg_uuid_array(ids), pg_text_array(org), pg_text_array(ws), pg_text_array(url),
      pg_text_array(secret), pg_text_array(types), pg_text_array(status), pg_int_array(version),
      pg_int_array(created), pg_int_array(updated));
}

// Inserts the notifications not seen before, each with its outbox row, and wakes the senders.
void enqueue_notices(pqxx::transaction_base& tx, const std::vector<WebhookNotice>& notices) {
  if (notices.empty()) return;
  std::vector<Uuid> ids, endpoints, subjects;
  std::vector<std::string> org, ws, types, bodies;
  std::vector<std::int64_t> versions, occurred;
  for (const auto& n : notices) {
    ids.push_back(n.delivery_id);
    endpoints.push_back(n.endpoint_id);
    subjects.push_back(n.subject_id);
    org.push_back(n.org_id);
    ws.push_back(n.workspace_id);
    types.push_back(n.event_type);
    bodies.push_back(n.body);
    versions.push_back(n.subject_version);
    occurred.push_back(n.occurred_ms);
  }
  const auto r = tx.exec_params(
      "WITH added AS (INSERT INTO webhook_deliveries (delivery_id, endpoint_id, org_id,"
      " workspace_id, event_type, subject_id, subject_version, body, occurred_at)"
      " SELECT u.id, u.endpoint, u.org, u.ws, u.type, u.subject, u.version, u.body,"
      " to_timestamp(u.occurred / 1000.0)"
      " FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[],"
      " $7::int[], $8::text[], $9::bigint[])"
      " AS u(id, endpoint, org, ws, type, subject, version, body, occurred)"
      " ON CONFLICT ON CONSTRAINT webhook_deliveries_once DO NOTHING"
      " RETURNING delivery_id, endpoint_id)"
      " INSERT INTO outbox (kind, queue, stream_id, attempt)"
      " SELECT $10, endpoint_id::text, delivery_id, 1 FROM added",
      pg_uuid_array(ids), pg_uuid_array(endpoints), pg_text_array(org), pg_text_array(ws),
      pg_text_array(types), pg_uuid_array(subjects), pg_int_array(versions), pg_text_array(bodies),
      pg_int_array(occurred), kOutboxKindWebhook);
  if (r.affected_rows() > 0) notify(tx, kWebhooksChannel);
}

// Folds the last attempt of each delivery in the page.
void fold_attempts(pqxx::transaction_base& tx,
                   const std::unordered_map<Uuid, WebhookDeliveryAttempted, UuidHash>& last) {
  if (last.empty()) return;
  std::vector<Uuid> ids;
  std::vector<std::string> status, error;
  std::vector<std::int64_t> attempt, http, at, next;
  for (const auto& [id, a] : last) {
    ids.push_back(id);
    status.push_back(std::string(webhook_delivery_status(a.outcome)));
    error.push_back(a.error_code);
    attempt.push_back(a.attempt);
    http.push_back(a.http_status);
    at.push_back(a.attempted_at_ms);
    next.push_back(a.next_attempt_at_ms);
  }
  tx.exec_params(
      "UPDATE webhook_deliveries d SET attempts = u.attempt, status = u.status,"
      " last_http_status = NULLIF(u.http, 0), last_error = NULLIF(u.error, ''),"
      " last_attempt_at = to_timestamp(u.at / 1000.0),"
      " next_attempt_at = CASE WHEN u.next > 0 THEN to_timestamp(u.next / 1000.0) END"
      " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::int[], $6::bigint[],"
      " $7::bigint[]) AS u(id, status, error, attempt, http, at, next)"
      " WHERE d.delivery_id = u.id AND d.attempts < u.attempt",
      pg_uuid_array(ids), pg_text_array(status), pg_text_array(error), pg_int_array(attempt),
      pg_int_array(http), pg_int_array(at), pg_int_array(next));
}

}  // namespace

void WebhooksProjection::apply(pqxx::transaction_base& tx,
                               const std::vector<RecordedEvent>& events) {
  const std::int64_t horizon = now_ms() - kNotifyHorizonMs;
  // Which workspaces have something to notify, and which batches are named in it.
  std::unordered_set<std::string> workspaces;
  std::unordered_set<Uuid, UuidHash> batches;
  for (const auto& e : events) {
    if (e.recorded_at_ms < horizon || !webhook_type_of(e.stream_type, e.type)) continue;
    const EventMetadata m = decode_metadata(e.metadata);
    workspaces.insert(m.workspace_id);
    if (e.stream_type == kBatchStreamType) batches.insert(e.stream_id);
    if (m.correlation_id) batches.insert(*m.correlation_id);  // a batch's job
  }
  Subscribers subscribers = load_subscribers(tx, workspaces);
  const auto anthropic = anthropic_batches(tx, {batches.begin(), batches.end()});

  std::unordered_map<Uuid, WebhookEndpointRow, UuidHash> endpoints;
  std::vector<WebhookNotice> notices;
  std::unordered_map<Uuid, WebhookDeliveryAttempted, UuidHash> attempts;
  for (const auto& e : events) {
    if (e.stream_type == kWebhookEndpointStreamType) {
      WebhookEndpointRow& row = endpoints[e.stream_id];
      fold_webhook_endpoint_event(row, e);
      apply_to_subscribers(subscribers, row);
      continue;
    }
    if (e.stream_type == kWebhookDeliveryStreamType) {
      if (auto a = decode_webhook_delivery_attempted(e.data); a.ok()) {
        auto& last = attempts[e.stream_id];
        if (a->attempt > last.attempt || last.endpoint_id.is_nil()) last = *a;
      }
      continue;
    }
    const auto type = webhook_type_of(e.stream_type, e.type);
    if (!type || e.recorded_at_ms < horizon) continue;
    const EventMetadata m = decode_metadata(e.metadata);
    auto subs = subscribers.find(m.workspace_id);
    if (subs == subscribers.end()) continue;
    const bool is_job = e.stream_type == kJobStreamType;
    const std::string subject =
        is_job ? to_api_id(id_prefix::kJob, e.stream_id)
               : to_api_id(anthropic.count(e.stream_id) != 0 ? id_prefix::kMessageBatch
                                                             : id_prefix::kBatch,
                           e.stream_id);
    std::optional<std::string> batch;
    if (is_job && m.correlation_id) {
      batch = to_api_id(
          anthropic.count(*m.correlation_id) != 0 ? id_prefix::kMessageBatch : id_prefix::kBatch,
          *m.correlation_id);
    }
    for (const auto& s : subs->second) {
      if (!s.subscribes_to(*type)) continue;
      WebhookNotice n;
      n.delivery_id = Uuid::generate_v7();
      n.endpoint_id = s.endpoint_id;
      n.org_id = s.org_id;
      n.workspace_id = m.workspace_id;
      n.event_type = std::string(*type);
      n.subject_id = e.stream_id;
      n.subject_version = e.version;
      n.occurred_ms = e.recorded_at_ms;
      n.body = webhook_body(n.delivery_id, *type, e.recorded_at_ms, subject, batch);
      notices.push_back(std::move(n));
    }
  }
  upsert_endpoints(tx, endpoints);
  enqueue_notices(tx, notices);
  fold_attempts(tx, attempts);
}

}  // namespace bl
