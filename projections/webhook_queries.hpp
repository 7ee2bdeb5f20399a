#pragma once
// Reads of the webhook read models. A single endpoint is read-your-writes (folded from its
// stream when the projection has not reached it); lists come from the read models and may lag
// the log by a projector poll.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/pg.hpp"
#include "projections/webhook_endpoint_row.hpp"

namespace bl {

// The endpoint, deleted or not; nullopt when it never existed.
std::optional<WebhookEndpointRow> read_webhook_endpoint(pqxx::transaction_base& tx,
                                                        const Uuid& endpoint);

// A workspace's enabled endpoints, newest first, older than `before` when given; at most
// `limit` rows.
std::vector<WebhookEndpointRow> list_webhook_endpoints(pqxx::transaction_base& tx,
                                                       const std::string& workspace,
                                                       const std::optional<Uuid>& before,
                                                       int limit);
int count_webhook_endpoints(pqxx::transaction_base& tx, const std::string& workspace);
// Every enabled endpoint of these workspaces (the webhooks projection's subscribers).
std::vector<WebhookEndpointRow> enabled_webhook_endpoints(
    pqxx::transaction_base& tx, const std::vector<std::string>& workspaces);

struct WebhookDeliveryRow {
  Uuid delivery_id;
  std::string event_type;
  std::string body;
  std::string status;  // pending | delivered | failed | abandoned
  int attempts = 0;
  std::optional<std::int64_t> last_http_status;
  std::optional<std::string> last_error;
  std::optional<std::int64_t> last_attempt_ms;
  std::optional<std::int64_t> next_attempt_ms;
  std::int64_t occurred_ms = 0;
};

// An endpoint's deliveries, newest first, older than `before` when given; at most `limit`.
std::vector<WebhookDeliveryRow> list_webhook_deliveries(pqxx::transaction_base& tx,
                                                        const Uuid& endpoint,
                                                        const std::optional<Uuid>& before,
                                                        int limit);

}  // namespace bl
