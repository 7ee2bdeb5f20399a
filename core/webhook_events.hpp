#pragma once
// Webhooks in the event log. An endpoint is a stream ("webhook_endpoint": Created, Deleted);
// each delivery of one notification to one endpoint is a stream too ("webhook_delivery"), one
// WebhookDeliveryAttempted per attempt at version = attempt, so two senders can never both
// record the same attempt. The URL and the secret are sealed (the URL may itself hold a
// token); event types, outcomes, statuses and codes are clear.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace bl {

inline constexpr std::string_view kWebhookEndpointStreamType = "webhook_endpoint";
inline constexpr std::string_view kWebhookDeliveryStreamType = "webhook_delivery";

namespace webhook_event {
inline constexpr std::string_view kEndpointCreated = "WebhookEndpointCreated";
inline constexpr std::string_view kEndpointDeleted = "WebhookEndpointDeleted";
inline constexpr std::string_view kDeliveryAttempted = "WebhookDeliveryAttempted";
}  // namespace webhook_event

// The notification types an endpoint may subscribe to, in the order the API lists them.
const std::vector<std::string_view>& webhook_event_types();
bool is_webhook_event_type(std::string_view type);

// The notification a log event gives rise to: "job.succeeded" for JobSucceeded in a job
// stream, "batch.completed" for BatchCompleted in a batch stream, ...; nullopt for the rest.
std::optional<std::string_view> webhook_type_of(std::string_view stream_type,
                                                std::string_view event_type);

struct WebhookEndpointCreated {
  std::string url;     // sealed in the event
  std::string secret;  // "whsec_..."; sealed in the event
  std::vector<std::string> event_types;
};
Result<std::string> encode(const WebhookEndpointCreated& e, const DataKeyring& ring,
                           const Uuid& endpoint);

// WebhookEndpointCreated as projections see it: the sealed boxes stay sealed (JSON text).
struct WebhookEndpointSealed {
  std::string url_box;
  std::string secret_box;
  std::vector<std::string> event_types;
};
Result<WebhookEndpointSealed> decode_webhook_endpoint_created(std::string_view data);

enum class WebhookOutcome {
  kDelivered,       // a 2xx answer
  kRetryScheduled,  // failed; the outbox row is due again later
  kGaveUp,          // failed, and the retry window is over
  kAbandoned,       // not sent: the endpoint was deleted meanwhile
};
std::string_view webhook_outcome_name(WebhookOutcome o);  // "delivered", ...
std::optional<WebhookOutcome> parse_webhook_outcome(std::string_view name);
// The delivery's status once this outcome is recorded: pending, delivered, failed, abandoned.
std::string_view webhook_delivery_status(WebhookOutcome o);

struct WebhookDeliveryAttempted {
  int attempt = 1;
  Uuid endpoint_id;
  WebhookOutcome outcome = WebhookOutcome::kDelivered;
  int http_status = 0;     // 0 when no answer arrived
  std::string error_code;  // empty when delivered: non_2xx, timeout, connection_error, ...
  std::int64_t attempted_at_ms = 0;
  std::int64_t duration_ms = 0;
  std::int64_t next_attempt_at_ms = 0;  // for kRetryScheduled
};
std::string encode(const WebhookDeliveryAttempted& e);
Result<WebhookDeliveryAttempted> decode_webhook_delivery_attempted(std::string_view data);

}  // namespace bl
