#pragma once
// The API shapes of webhook endpoints and deliveries.
//   endpoint: {"id": "whep_...", "object": "webhook_endpoint", "url", "event_types",
//              "status": "enabled", "created_at"} (+ "secret" in the answer to its creation)
//   delivery: {"id": "evt_...", "object": "webhook_delivery", "endpoint_id", "event_type",
//              "subject_id", "status", "attempts", "last_http_status", "last_error",
//              "last_attempt_at", "next_attempt_at", "created_at"}

#include <optional>
#include <string>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "projections/webhook_endpoint_row.hpp"
#include "projections/webhook_queries.hpp"

namespace bl {

// The endpoint's URL, opened with ring; nullopt when its data key is not configured (logged).
std::optional<std::string> open_webhook_url(const WebhookEndpointRow& row, const DataKeyring& ring);

// url: as opened (null when nullopt); secret: only in the answer to the creation.
void write_webhook_endpoint_json(JsonWriter& w, const WebhookEndpointRow& row,
                                 const std::optional<std::string>& url,
                                 const std::optional<std::string>& secret = std::nullopt);
void write_webhook_delivery_json(JsonWriter& w, const WebhookDeliveryRow& row,
                                 const Uuid& endpoint);

}  // namespace bl
