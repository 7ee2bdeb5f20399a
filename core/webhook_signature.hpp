#pragma once
// Standard Webhooks signatures (https://www.standardwebhooks.com, as OpenAI and Svix send
// them). A request carries
//   webhook-id:        the message id, the same on every retry (receivers de-duplicate by it)
//   webhook-timestamp: seconds since the epoch when this attempt was signed
//   webhook-signature: "v1," + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>"))
// where key is the base64-decoded part of the endpoint's secret "whsec_<base64>".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bl {

inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";

// A new random secret: "whsec_" + base64 of 32 random bytes.
std::string new_webhook_secret();

// The HMAC key of a secret (the bytes its base64 part decodes to).
Result<std::string> webhook_signing_key(std::string_view secret);

// "v1,<base64 signature>" of one message.
std::string webhook_signature(std::string_view key, std::string_view message_id,
                              std::int64_t timestamp_s, std::string_view body);

// The three headers, as "Name: value" lines for an HTTP client.
std::vector<std::string> webhook_headers(std::string_view key, std::string_view message_id,
                                         std::int64_t timestamp_s, std::string_view body);

}  // namespace bl
