#include "projections/webhook_notice.hpp"

#include "core/json.hpp"

namespace bl {

std::string webhook_body(const Uuid& delivery_id, std::string_view event_type,
                         std::int64_t occurred_ms, std::string_view subject_api_id,
                         const std::optional<std::string>& batch_api_id) {
  // "job.succeeded" -> object "job", status "succeeded".
  const auto dot = event_type.find('.');
  const std::string_view object = event_type.substr(0, dot);
  const std::string_view status = event_type.substr(dot + 1);
  JsonWriter w;
  w.begin_object();
  w.field("id", to_api_id(id_prefix::kWebhookEvent, delivery_id));
  w.field("object", "event");
  w.field("type", event_type);
  w.field("created_at", occurred_ms / 1000);
  w.key("data").begin_object();
  w.field("id", subject_api_id);
  w.field("object", object);
  w.field("status", status);
  if (object == "job") w.optional_field("batch_id", batch_api_id);
  w.end_object();
  w.end_object();
  return w.str();
}

}  // namespace bl
