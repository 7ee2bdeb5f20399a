#include "ingest/webhook_validation.hpp"

#include <algorithm>

#include "core/json.hpp"
#include "core/webhook_events.hpp"

namespace bl {
namespace {

ApiError bad(std::string code, std::string message, std::string param) {
  return ApiError{400, std::move(code), std::move(message), std::move(param), ""};
}

std::string known_types() {
  std::string s;
  for (auto t : webhook_event_types()) {
    if (!s.empty()) s += ", ";
    s += t;
  }
  return s;
}

}  // namespace

WebhookValidation validate_webhook_endpoint(std::string_view body, const WebhookUrlPolicy& policy) {
  WebhookValidation out;
  auto doc = parse_json(body);
  if (!doc.ok()) {
    out.error = ApiError{400, "invalid_json", doc.error().message, std::nullopt, ""};
    return out;
  }
  if (!doc->IsObject()) {
    out.error = ApiError{400, "invalid_type", "expected a JSON object", std::nullopt, ""};
    return out;
  }
  for (auto it = doc->MemberBegin(); it != doc->MemberEnd(); ++it) {
    const std::string_view key = as_view(it->name);
    if (key != "url" && key != "event_types") {
      out.error = bad("unknown_field", "unknown field", std::string(key));
      return out;
    }
  }
  const auto url = json_string(*doc, "url");
  if (!url) {
    out.error = bad("missing_field", "url is required and must be a string", "url");
    return out;
  }
  if (auto s = check_webhook_url(*url, policy); !s.ok()) {
    out.error = bad("invalid_url", s.error().message, "url");
    return out;
  }
  out.request.url = std::string(*url);
  const JsonValue* types = json_member(*doc, "event_types");
  if (types == nullptr || !types->IsArray() || types->Empty()) {
    out.error = bad("missing_field", "event_types must be a non-empty array", "event_types");
    return out;
  }
  for (const auto& t : types->GetArray()) {
    if (!t.IsString() || !is_webhook_event_type(as_view(t))) {
      out.error = bad("invalid_event_type", "event types are: " + known_types(), "event_types");
      return out;
    }
    auto& list = out.request.event_types;
    if (std::find(list.begin(), list.end(), as_view(t)) == list.end()) {
      list.emplace_back(as_view(t));
    }
  }
  return out;
}

}  // namespace bl
