#include "core/webhook_signature.hpp"

#include "core/crypto.hpp"

namespace bl {

std::string new_webhook_secret() {
  return std::string(kWebhookSecretPrefix) + base64_encode(random_bytes(32));
}

Result<std::string> webhook_signing_key(std::string_view secret) {
  if (secret.substr(0, kWebhookSecretPrefix.size()) != kWebhookSecretPrefix) {
    return Error::invalid("a webhook secret starts with whsec_");
  }
  auto key = base64_decode(secret.substr(kWebhookSecretPrefix.size()));
  if (!key.ok() || key->empty()) return Error::invalid("a webhook secret is whsec_ + base64");
  return key;
}

std::string webhook_signature(std::string_view key, std::string_view message_id,
                              std::int64_t timestamp_s, std::string_view body) {
  std::string signed_content;
  signed_content.reserve(message_id.size() + body.size() + 24);
  signed_content.append(message_id);
  signed_content.push_back('.');
  signed_content.append(std::to_string(timestamp_s));
  signed_content.push_back('.');
  signed_content.append(body);
  return "v1," + base64_encode(hmac_sha256(key, signed_content));
}

std::vector<std::string> webhook_headers(std::string_view key, std::string_view message_id,
                                         std::int64_t timestamp_s, std::string_view body) {
  return {"webhook-id: " + std::string(message_id),
          "webhook-timestamp: " + std::to_string(timestamp_s),
          "webhook-signature: " + webhook_signature(key, message_id, timestamp_s, body)};
}

}  // namespace bl
