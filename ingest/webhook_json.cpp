#include "ingest/webhook_json.hpp"

#include "core/log.hpp"
#include "core/sealed_json.hpp"

namespace bl {
namespace {

void optional_seconds(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& ms) {
  if (ms) {
    w.field(key, *ms / 1000);
  } else {
    w.null_field(key);
  }
}

}  // namespace

std::optional<std::string> open_webhook_url(const WebhookEndpointRow& row,
                                            const DataKeyring& ring) {
  auto box = parse_json(row.url_box);
  auto url = box.ok() ? open_sealed(*box, ring, row.endpoint_id) : Result<std::string>(box.error());
  if (url.ok()) return std::move(*url);
  log::error("webhook.url_unreadable", {{"endpoint_id", log::id(row.endpoint_id.to_string())}});
  return std::nullopt;
}

void write_webhook_endpoint_json(JsonWriter& w, const WebhookEndpointRow& row,
                                 const std::optional<std::string>& url,
                                 const std::optional<std::string>& secret) {
  w.begin_object();
  w.field("id", to_api_id(id_prefix::kWebhookEndpoint, row.endpoint_id));
  w.field("object", "webhook_endpoint");
  w.optional_field("url", url);
  w.key("event_types").begin_array();
  for (const auto& t : row.event_types)
    w.value(t);
  w.end_array();
  w.field("status", row.deleted ? "deleted" : "enabled");
  w.field("created_at", row.created_ms / 1000);
  if (secret) w.field("secret", *secret);
  w.end_object();
}

void write_webhook_delivery_json(JsonWriter& w, const WebhookDeliveryRow& row,
                                 const Uuid& endpoint) {
  w.begin_object();
  w.field("id", to_api_id(id_prefix::kWebhookEvent, row.delivery_id));
  w.field("object", "webhook_delivery");
  w.field("endpoint_id", to_api_id(id_prefix::kWebhookEndpoint, endpoint));
  w.field("event_type", row.event_type);
  auto body = parse_json(row.body);
  const JsonValue* data = body.ok() ? json_member(*body, "data") : nullptr;
  const auto subject = data != nullptr ? json_string(*data, "id") : std::nullopt;
  if (subject) {
    w.field("subject_id", *subject);
  } else {
    w.null_field("subject_id");
  }
  w.field("status", row.status);
  w.field("attempts", row.attempts);
  w.optional_field("last_http_status", row.last_http_status);
  w.optional_field("last_error", row.last_error);
  optional_seconds(w, "last_attempt_at", row.last_attempt_ms);
  optional_seconds(w, "next_attempt_at", row.next_attempt_ms);
  w.field("created_at", row.occurred_ms / 1000);
  w.end_object();
}

}  // namespace bl
