#include "core/webhook_events.hpp"

#include <algorithm>

#include "core/batch_events.hpp"
#include "core/job_events.hpp"
#include "core/job_lifecycle.hpp"
#include "core/json.hpp"
#include "core/sealed_json.hpp"

namespace bl {
namespace {

struct Trigger {
  std::string_view stream_type;
  std::string_view event_type;
  std::string_view webhook_type;
};

const std::vector<Trigger>& triggers() {
  static const std::vector<Trigger> all = {
      {kBatchStreamType, batch_event::kCompleted, "batch.completed"},
      {kBatchStreamType, batch_event::kFailed, "batch.failed"},
      {kBatchStreamType, batch_event::kExpired, "batch.expired"},
      {kBatchStreamType, batch_event::kCancelled, "batch.cancelled"},
      {kJobStreamType, job_event_type(JobEvent::kSucceeded), "job.succeeded"},
      {kJobStreamType, job_event_type(JobEvent::kFailed), "job.failed"},
  };
  return all;
}

constexpr std::string_view kOutcomeNames[] = {"delivered", "retry_scheduled", "gave_up",
                                              "abandoned"};

}  // namespace

const std::vector<std::string_view>& webhook_event_types() {
  static const std::vector<std::string_view> types = [] {
    std::vector<std::string_view> t;
    for (const auto& trigger : triggers())
      t.push_back(trigger.webhook_type);
    return t;
  }();
  return types;
}

bool is_webhook_event_type(std::string_view type) {
  const auto& types = webhook_event_types();
  return std::find(types.begin(), types.end(), type) != types.end();
}

std::optional<std::string_view> webhook_type_of(std::string_view stream_type,
                                                std::string_view event_type) {
  for (const auto& t : triggers()) {
    if (t.stream_type == stream_type && t.event_type == event_type) return t.webhook_type;
  }
  return std::nullopt;
}

Result<std::string> encode(const WebhookEndpointCreated& e, const DataKeyring& ring,
                           const Uuid& endpoint) {
  JsonWriter w;
  w.begin_object();
  if (auto s = write_sealed(w, "url", ring, e.url, endpoint); !s.ok()) return s.error();
  if (auto s = write_sealed(w, "secret", ring, e.secret, endpoint); !s.ok()) return s.error();
  w.key("event_types").begin_array();
  for (const auto& t : e.event_types)
    w.value(t);
  w.end_array();
  w.end_object();
  return w.str();
}

Result<WebhookEndpointSealed> decode_webhook_endpoint_created(std::string_view data) {
  auto doc = parse_json(data);
  if (!doc.ok() || !doc->IsObject()) return Error::internal("WebhookEndpointCreated: bad JSON");
  const JsonValue* url = json_member(*doc, "url");
  const JsonValue* secret = json_member(*doc, "secret");
  const JsonValue* types = json_member(*doc, "event_types");
  if (url == nullptr || secret == nullptr || types == nullptr || !types->IsArray()) {
    return Error::internal("WebhookEndpointCreated: missing fields");
  }
  WebhookEndpointSealed out;
  out.url_box = to_json(*url);
  out.secret_box = to_json(*secret);
  for (const auto& t : types->GetArray()) {
    if (t.IsString()) out.event_types.emplace_back(as_view(t));
  }
  return out;
}

std::string_view webhook_outcome_name(WebhookOutcome o) {
  return kOutcomeNames[static_cast<int>(o)];
}

std::optional<WebhookOutcome> parse_webhook_outcome(std::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (kOutcomeNames[i] == name) return static_cast<WebhookOutcome>(i);
  }
  return std::nullopt;
}

std::string_view webhook_delivery_status(WebhookOutcome o) {
  switch (o) {
    case WebhookOutcome::kDelivered:
      return "delivered";
    case WebhookOutcome::kRetryScheduled:
      return "pending";
    case WebhookOutcome::kGaveUp:
      return "failed";
    case WebhookOutcome::kAbandoned:
      return "abandoned";
  }
  return "pending";
}

std::string encode(const WebhookDeliveryAttempted& e) {
  JsonWriter w;
  w.begin_object();
  w.field("attempt", e.attempt);
  w.field("endpoint_id", e.endpoint_id.to_string());
  w.field("outcome", webhook_outcome_name(e.outcome));
  w.field("http_status", e.http_status);
  if (!e.error_code.empty()) w.field("error_code", e.error_code);
  w.field("attempted_at_ms", e.attempted_at_ms);
  w.field("duration_ms", e.duration_ms);
  if (e.next_attempt_at_ms > 0) w.field("next_attempt_at_ms", e.next_attempt_at_ms);
  w.end_object();
  return w.str();
}

Result<WebhookDeliveryAttempted> decode_webhook_delivery_attempted(std::string_view data) {
  auto doc = parse_json(data);
  if (!doc.ok() || !doc->IsObject()) return Error::internal("WebhookDeliveryAttempted: bad JSON");
  WebhookDeliveryAttempted e;
  auto outcome = parse_webhook_outcome(json_string(*doc, "outcome").value_or(""));
  auto endpoint = Uuid::parse(json_string(*doc, "endpoint_id").value_or(""));
  if (!outcome || !endpoint) return Error::internal("WebhookDeliveryAttempted: missing fields");
  e.outcome = *outcome;
  e.endpoint_id = *endpoint;
  e.attempt = static_cast<int>(json_int(*doc, "attempt").value_or(1));
  e.http_status = static_cast<int>(json_int(*doc, "http_status").value_or(0));
  e.error_code = std::string(json_string(*doc, "error_code").value_or(""));
  e.attempted_at_ms = json_int(*doc, "attempted_at_ms").value_or(0);
  e.duration_ms = json_int(*doc, "duration_ms").value_or(0);
  e.next_attempt_at_ms = json_int(*doc, "next_attempt_at_ms").value_or(0);
  return e;
}

}  // namespace bl
