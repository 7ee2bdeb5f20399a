#pragma once
// Validation of POST /v1/webhooks: {"url": "https://...", "event_types": ["job.succeeded"]}.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_error.hpp"
#include "core/webhook_url.hpp"

namespace bl {

struct WebhookEndpointRequest {
  std::string url;
  std::vector<std::string> event_types;  // known types, each once, in the request's order
};

struct WebhookValidation {
  WebhookEndpointRequest request;
  std::optional<ApiError> error;  // 400 naming the field; never quotes the URL
};

WebhookValidation validate_webhook_endpoint(std::string_view body, const WebhookUrlPolicy& policy);

}  // namespace bl
