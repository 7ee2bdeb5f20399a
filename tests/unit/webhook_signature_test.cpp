#include "core/webhook_signature.hpp"

#include <gtest/gtest.h>

#include "core/crypto.hpp"

namespace bl {
namespace {

// The example of the Standard Webhooks specification (and of Svix's libraries).
TEST(WebhookSignature, MatchesTheStandardWebhooksExample) {
  auto key = webhook_signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(webhook_signature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                              R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, HeadersCarryIdTimestampAndSignature) {
  const std::string key = "0123456789abcdef0123456789abcdef";
  const auto h = webhook_headers(key, "evt_1", 1700000000, "{}");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0], "webhook-id: evt_1");
  EXPECT_EQ(h[1], "webhook-timestamp: 1700000000");
  EXPECT_EQ(h[2], "webhook-signature: " + webhook_signature(key, "evt_1", 1700000000, "{}"));
  EXPECT_NE(webhook_signature(key, "evt_1", 1700000001, "{}"),
            webhook_signature(key, "evt_1", 1700000000, "{}"));
}

TEST(WebhookSignature, NewSecretsAreRandomWhsecOf32Bytes) {
  const std::string a = new_webhook_secret(), b = new_webhook_secret();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.rfind("whsec_", 0), 0u);
  auto key = webhook_signing_key(a);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), 32u);
}

TEST(WebhookSignature, RefusesSecretsOfAnotherShape) {
  EXPECT_FALSE(webhook_signing_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").ok());
  EXPECT_FALSE(webhook_signing_key("whsec_").ok());
  EXPECT_FALSE(webhook_signing_key("whsec_not base64!").ok());
}

}  // namespace
}  // namespace bl
