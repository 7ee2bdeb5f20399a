// Pure rules of webhook delivery: the retry schedule, how answers are read, the body.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "core/webhook_events.hpp"
#include "outbox/webhook_request.hpp"
#include "outbox/webhook_retry.hpp"
#include "projections/webhook_notice.hpp"

namespace bl {
namespace {

TEST(WebhookRetry, BacksOffExponentiallyWithJitterUpToTheMaximum) {
  const WebhookRetryPolicy policy{1000, 8000, 86400000};
  std::mt19937_64 rng(7);
  const std::int64_t now = 1'000'000;
  const std::int64_t expected[] = {1000, 2000, 4000, 8000, 8000, 8000};
  for (int attempt = 1; attempt <= 6; ++attempt) {
    for (int i = 0; i < 50; ++i) {
      auto at = webhook_retry_at(policy, attempt, now, now, rng);
      ASSERT_TRUE(at.has_value());
      EXPECT_GE(*at - now, expected[attempt - 1] * 8 / 10) << attempt;
      EXPECT_LE(*at - now, expected[attempt - 1] * 12 / 10) << attempt;
    }
  }
}

TEST(WebhookRetry, GivesUpWhenTheNextAttemptWouldLeaveTheWindow) {
  const WebhookRetryPolicy policy{5000, 3600000, 86400000};
  std::mt19937_64 rng(1);
  const std::int64_t occurred = 0;
  EXPECT_TRUE(webhook_retry_at(policy, 3, occurred, 3600000, rng).has_value());
  EXPECT_FALSE(webhook_retry_at(policy, 30, occurred, 86400000 - 1000, rng).has_value());
  // With the defaults, a notification is tried about 30 times over a day.
  std::int64_t now = occurred;
  int attempts = 1;
  while (auto next = webhook_retry_at(policy, attempts, occurred, now, rng)) {
    now = *next;
    ++attempts;
  }
  EXPECT_GE(attempts, 25);
  EXPECT_LE(attempts, 40);
  EXPECT_LE(now, occurred + policy.window_ms);
}

TEST(WebhookAnswer, OnlyA2xxIsDelivered) {
  HttpCallResult r;
  r.status = 204;
  EXPECT_TRUE(classify_webhook_answer(r).delivered);
  r.status = 301;
  EXPECT_EQ(classify_webhook_answer(r).error_code, "non_2xx");
  r.status = 500;
  EXPECT_EQ(classify_webhook_answer(r).http_status, 500);
  HttpCallResult refused;
  refused.curl_code = 7;
  refused.address_refused = true;
  EXPECT_EQ(classify_webhook_answer(refused).error_code, "address_refused");
  HttpCallResult timeout;
  timeout.curl_code = 28;
  EXPECT_EQ(classify_webhook_answer(timeout).error_code, "timeout");
  EXPECT_EQ(classify_webhook_answer(timeout).http_status, 0);
}

TEST(WebhookBody, CarriesIdsTypeAndTimeOnly) {
  const Uuid delivery = *Uuid::parse("01890a5d-ac96-774b-bcce-b302099a8057");
  const std::string body = webhook_body(delivery, "job.failed", 1700000000123, "job_abc",
                                        std::optional<std::string>("batch_def"));
  EXPECT_EQ(body,
            R"({"id":"evt_01890a5dac96774bbcceb302099a8057","object":"event","type":"job.failed",)"
            R"("created_at":1700000000,"data":{"id":"job_abc","object":"job","status":"failed",)"
            R"("batch_id":"batch_def"}})");
  const std::string batch = webhook_body(delivery, "batch.completed", 0, "batch_x", std::nullopt);
  auto doc = parse_json(batch);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(json_string((*doc)["data"], "object"), "batch");
  EXPECT_EQ(json_string((*doc)["data"], "status"), "completed");
  EXPECT_EQ(json_member((*doc)["data"], "batch_id"), nullptr);
}

TEST(WebhookTypes, MapLogEventsToNotifications) {
  EXPECT_EQ(webhook_type_of("job", "JobSucceeded"), "job.succeeded");
  EXPECT_EQ(webhook_type_of("job", "JobFailed"), "job.failed");
  EXPECT_EQ(webhook_type_of("batch", "BatchExpired"), "batch.expired");
  EXPECT_EQ(webhook_type_of("job", "JobAttemptFailed"), std::nullopt);
  EXPECT_EQ(webhook_type_of("batch", "JobSucceeded"), std::nullopt);
  EXPECT_EQ(webhook_event_types().size(), 6u);
  EXPECT_TRUE(is_webhook_event_type("batch.cancelled"));
  EXPECT_FALSE(is_webhook_event_type("job.started"));
}

TEST(WebhookEvents, AttemptsRoundTrip) {
  WebhookDeliveryAttempted e{
      3, Uuid::generate_v7(), WebhookOutcome::kGaveUp, 502, "non_2xx", 10, 20, 0};
  auto back = decode_webhook_delivery_attempted(encode(e));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->attempt, 3);
  EXPECT_EQ(back->endpoint_id, e.endpoint_id);
  EXPECT_EQ(back->outcome, WebhookOutcome::kGaveUp);
  EXPECT_EQ(back->http_status, 502);
  EXPECT_EQ(back->error_code, "non_2xx");
  EXPECT_EQ(webhook_delivery_status(WebhookOutcome::kGaveUp), "failed");
  EXPECT_FALSE(decode_webhook_delivery_attempted("{}").ok());
}

}  // namespace
}  // namespace bl
