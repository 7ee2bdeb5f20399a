// Defaults and parsing of the relay, sweeper and webhook settings.

#include <gtest/gtest.h>

#include "config/config.hpp"

namespace bl {
namespace {

TEST(OutboxSettings, DefaultsAreTheDocumentedOnes) {
  auto c = load_config_from("", {});
  ASSERT_TRUE(c.ok());
  EXPECT_LE(c->relay_poll_ms, 250);
  EXPECT_EQ(c->worker_max_attempts, 5);  // dead letter after five attempts
  EXPECT_EQ(c->webhook_retry_window_s, 86400);
  EXPECT_FALSE(c->webhook_allow_http);
  EXPECT_FALSE(c->webhook_allow_private_addresses);
}

TEST(OutboxSettings, ParsesBooleansAndChecksRanges) {
  auto c = load_config_from(
      R"({"webhook_allow_http": true})",
      {{"BL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "1"}, {"BL_SWEEPER_TIMEOUT_MS", "1500"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->webhook_allow_http);
  EXPECT_TRUE(c->webhook_allow_private_addresses);
  EXPECT_EQ(c->sweeper_timeout_ms, 1500);
  EXPECT_FALSE(load_config_from("", {{"BL_WEBHOOK_ALLOW_HTTP", "yes"}}).ok());
  EXPECT_FALSE(load_config_from("", {{"BL_SWEEPER_INTERVAL_MS", "0"}}).ok());
  EXPECT_FALSE(load_config_from(
                   "", {{"BL_WEBHOOK_RETRY_BASE_MS", "5000"}, {"BL_WEBHOOK_RETRY_MAX_MS", "100"}})
                   .ok());
}

}  // namespace
}  // namespace bl
