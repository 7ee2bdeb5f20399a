#pragma once
// One webhook attempt over HTTP: the signed request, and what its answer means.

#include <cstdint>
#include <string>

#include "config/config.hpp"
#include "core/http_client.hpp"
#include "outbox/webhook_store.hpp"

namespace bl {

// POST of the stored body to the endpoint, signed (Standard Webhooks) at timestamp_s. The
// response body is read and dropped, never kept. Fails when the endpoint's URL or secret
// cannot be opened (its data key is not configured) or the URL is not http(s).
Result<HttpCall> webhook_request(const ClaimedWebhook& delivery, const Config& config,
                                 std::int64_t timestamp_s);

struct WebhookAnswer {
  bool delivered = false;  // a 2xx
  int http_status = 0;     // 0 when none arrived
  std::string error_code;  // empty when delivered: non_2xx, timeout, connection_error,
                           // address_refused
};
WebhookAnswer classify_webhook_answer(const HttpCallResult& result);

}  // namespace bl
