#pragma once
// The webhook sender's PostgreSQL side: claiming due webhook outbox rows and recording what
// each attempt did. Functions that say so throw libpqxx exceptions (callers retry the batch).
//
// A claim leases rows instead of holding a transaction open across HTTP calls (which could
// take seconds and would hold back every event reader): their due time moves to the end of
// the lease, so rows of a sender that dies are claimed again once it runs out. A late
// recording cannot collide with the next claimer's: each attempt is an event at version =
// attempt in the delivery's stream, and the stream lock plus version check let only the first
// recording of an attempt through.

#include <cstdint>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "core/pg.hpp"
#include "core/webhook_events.hpp"

namespace bl {

struct ClaimedWebhook {
  std::int64_t outbox_id = 0;
  Uuid delivery_id;
  int attempt = 1;
  // From the read models; found is false when the delivery row is missing.
  bool found = false;
  Uuid endpoint_id;
  std::string org_id;
  std::string workspace_id;
  std::string body;
  std::int64_t occurred_ms = 0;
  bool endpoint_enabled = false;  // false when deleted or missing
  std::string url_box;            // sealed boxes, JSON text
  std::string secret_box;
};

// Claims up to `limit` due webhook rows (SKIP LOCKED) and leases them for lease_ms.
Result<std::vector<ClaimedWebhook>> claim_webhooks(pqxx::connection& conn, int limit,
                                                   std::int64_t lease_ms);

struct WebhookAttempt {
  ClaimedWebhook delivery;
  WebhookDeliveryAttempted event;
};

// Records attempts in one transaction: a WebhookDeliveryAttempted per attempt (dropped when
// another sender recorded that attempt first), the outbox row of each finished delivery
// deleted, that of each retried one moved to the next attempt and its due time. Returns, per
// attempt, whether it was recorded. Throws.
std::vector<bool> record_webhook_attempts(pqxx::connection& conn,
                                          const std::vector<WebhookAttempt>& attempts);

// Finished deliveries are kept this long (GET /v1/webhooks/{id}/deliveries), then pruned by
// the active sweeper. Far longer than the projection's notify horizon (a day), so a rebuild
// never meets a pruned notification again.
inline constexpr int kWebhookRetentionDays = 30;

// Gives claimed rows back, due again in delay_ms (their endpoint has its fill in flight).
Status defer_webhooks(pqxx::connection& conn, const std::vector<std::int64_t>& outbox_ids,
                      std::int64_t delay_ms);

// Deletes up to `limit` finished deliveries whose notification is older than retention_days.
Result<int> prune_webhook_deliveries(pqxx::connection& conn, int retention_days, int limit);

}  // namespace bl
