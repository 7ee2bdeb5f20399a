// The webhook sender's database side in process: leases, recording each attempt once, and
// what happens to the outbox row.

#include "outbox/webhook_store.hpp"

#include <gtest/gtest.h>

#include "core/event_log.hpp"
#include "core/outbox_rows.hpp"
#include "tests/support/test_env.hpp"

namespace bl {
namespace {

class WebhookStoreTest : public ::testing::Test {
 protected:
  // A delivery row and its outbox row, as the webhooks projection writes them.
  Uuid add_delivery() {
    const Uuid delivery = Uuid::generate_v7(), endpoint = Uuid::generate_v7();
    pqxx::work tx(*conn);
    tx.exec_params(
        "INSERT INTO webhook_endpoints VALUES ($1::uuid, 'org', 'ws', '{\"k\":1}', '{}',"
        " '{job.failed}', 'enabled', 1, now(), now())",
        endpoint.to_string());
    tx.exec_params(
        "INSERT INTO webhook_deliveries (delivery_id, endpoint_id, org_id, workspace_id,"
        " event_type, subject_id, subject_version, body, occurred_at) VALUES ($1::uuid,"
        " $2::uuid, 'org', 'ws', 'job.failed', gen_random_uuid(), 2, '{\"id\":1}', now())",
        delivery.to_string(), endpoint.to_string());
    tx.exec_params("INSERT INTO outbox (kind, queue, stream_id) VALUES ('webhook', 'e', $1::uuid)",
                   delivery.to_string());
    tx.commit();
    return delivery;
  }

  WebhookAttempt attempt(const ClaimedWebhook& c, WebhookOutcome outcome,
                         std::int64_t next_ms = 0) {
    WebhookAttempt a;
    a.delivery = c;
    a.event.attempt = c.attempt;
    a.event.endpoint_id = c.endpoint_id;
    a.event.outcome = outcome;
    a.event.http_status = outcome == WebhookOutcome::kDelivered ? 200 : 500;
    a.event.next_attempt_at_ms = next_ms;
    return a;
  }

  long long outbox_count() {
    pqxx::read_transaction tx(*conn);
    return tx.exec1("SELECT count(*) FROM outbox")[0].as<long long>();
  }

  test::TestDatabase db;
  PgConnectionPtr conn = db.connect();
};

TEST_F(WebhookStoreTest, AClaimLeasesRowsSoNoOtherSenderTakesThem) {
  const Uuid delivery = add_delivery();
  auto claimed = claim_webhooks(*conn, 10, 60000);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  const ClaimedWebhook& c = (*claimed)[0];
  EXPECT_EQ(c.delivery_id, delivery);
  EXPECT_EQ(c.attempt, 1);
  EXPECT_TRUE(c.found);
  EXPECT_TRUE(c.endpoint_enabled);
  EXPECT_EQ(c.body, R"({"id":1})");
  EXPECT_EQ(c.url_box, R"({"k": 1})");
  auto other = db.connect();
  EXPECT_TRUE(claim_webhooks(*other, 10, 60000)->empty()) << "leased";
  // A lease that ran out (its sender died) makes the row claimable again.
  {
    pqxx::work tx(*conn);
    tx.exec("UPDATE outbox SET due_at = now() - interval '1 second'");
    tx.commit();
  }
  EXPECT_EQ(claim_webhooks(*other, 10, 60000)->size(), 1u);
}

TEST_F(WebhookStoreTest, ARetryMovesTheRowToTheNextAttemptAndADeliveryDeletesIt) {
  add_delivery();
  const ClaimedWebhook first = claim_webhooks(*conn, 10, 60000)->at(0);
  const std::int64_t later = first.occurred_ms + 3600000;
  EXPECT_EQ(
      record_webhook_attempts(*conn, {attempt(first, WebhookOutcome::kRetryScheduled, later)}),
      std::vector<bool>{true});
  {
    pqxx::read_transaction tx(*conn);
    auto r = tx.exec1("SELECT attempt, (extract(epoch FROM due_at) * 1000)::bigint FROM outbox");
    EXPECT_EQ(r[0].as<int>(), 2);
    EXPECT_EQ(r[1].as<std::int64_t>(), later);
  }
  {
    pqxx::work tx(*conn);
    tx.exec("UPDATE outbox SET due_at = now()");
    tx.commit();
  }
  const ClaimedWebhook second = claim_webhooks(*conn, 10, 60000)->at(0);
  EXPECT_EQ(second.attempt, 2);
  EXPECT_EQ(record_webhook_attempts(*conn, {attempt(second, WebhookOutcome::kDelivered)}),
            std::vector<bool>{true});
  EXPECT_EQ(outbox_count(), 0);
  pqxx::read_transaction tx(*conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM events WHERE event_type ="
                     " 'WebhookDeliveryAttempted' AND stream_type = 'webhook_delivery'")[0]
                .as<int>(),
            2);
}

TEST_F(WebhookStoreTest, AnAttemptIsRecordedOnceWhenTwoSendersMadeIt) {
  add_delivery();
  const ClaimedWebhook c = claim_webhooks(*conn, 10, 60000)->at(0);
  // Two senders sent attempt 1 (the first one's lease ran out): only one recording counts,
  // also within one batch.
  EXPECT_EQ(record_webhook_attempts(*conn, {attempt(c, WebhookOutcome::kRetryScheduled, 1),
                                            attempt(c, WebhookOutcome::kDelivered)}),
            (std::vector<bool>{true, false}));
  EXPECT_EQ(record_webhook_attempts(*conn, {attempt(c, WebhookOutcome::kDelivered)}),
            std::vector<bool>{false});
  EXPECT_EQ(outbox_count(), 1) << "the retry stands";
}

TEST_F(WebhookStoreTest, GivingUpDeletesTheRow) {
  add_delivery();
  const ClaimedWebhook c = claim_webhooks(*conn, 10, 60000)->at(0);
  EXPECT_EQ(record_webhook_attempts(*conn, {attempt(c, WebhookOutcome::kGaveUp)}),
            std::vector<bool>{true});
  EXPECT_EQ(outbox_count(), 0);
}

TEST_F(WebhookStoreTest, PrunesOnlyFinishedDeliveriesPastTheRetention) {
  add_delivery();
  add_delivery();
  {
    pqxx::work tx(*conn);
    tx.exec("UPDATE webhook_deliveries SET occurred_at = now() - interval '40 days'");
    tx.exec(
        "UPDATE webhook_deliveries SET status = 'delivered' WHERE delivery_id ="
        " (SELECT delivery_id FROM webhook_deliveries ORDER BY delivery_id LIMIT 1)");
    tx.commit();
  }
  EXPECT_EQ(*prune_webhook_deliveries(*conn, kWebhookRetentionDays, 100), 1);
  pqxx::read_transaction tx(*conn);
  EXPECT_EQ(tx.exec1("SELECT status FROM webhook_deliveries")[0].as<std::string>(), "pending");
}

}  // namespace
}  // namespace bl
