#include "outbox/relay.hpp"

#include <gtest/gtest.h>

#include "core/outbox_rows.hpp"
#include "tests/support/test_env.hpp"

namespace bl {
namespace {

class RelayTest : public ::testing::Test {
 protected:
  RelayTest() {
    config.database_url = db.url();
    config.redis_host = test::redis_host();
    config.redis_port = test::redis_port();
    config.redis_prefix = redis.prefix();
  }

  void add_rows(const std::vector<OutboxRow>& rows) {
    auto c = db.connect();
    pqxx::work tx(*c);
    insert_outbox_rows(tx, rows);
    tx.commit();
  }

  long long stream_length(const std::string& model, int band) {
    auto r = redis.connect()->command({"XLEN", QueueKeys(redis.prefix()).stream(model, band)});
    return r.ok() ? r->integer : -1;
  }

  test::TestDatabase db;
  test::TestRedis redis;
  Config config;
  StopSignal stop;
};

TEST_F(RelayTest, DeliversDueRowsToTheirBandAndDeletesThem) {
  add_rows({{Uuid::generate_v7(), "m", 1, 10, 0},
            {Uuid::generate_v7(), "m", 1, 500, 0},
            {Uuid::generate_v7(), "m", 1, 900, 0}});
  Relay relay(config, stop);
  auto c = db.connect();
  auto n = relay.relay_once(*c);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(stream_length("m", 0), 1);
  EXPECT_EQ(stream_length("m", 1), 1);
  EXPECT_EQ(stream_length("m", 2), 1);
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox")[0].as<int>(), 0);
}

TEST_F(RelayTest, ASecondPushOfTheSameDeliveryIsDeduplicated) {
  const Uuid job = Uuid::generate_v7();
  add_rows({{job, "m", 1, 500, 0}});
  Relay relay(config, stop);
  auto c = db.connect();
  ASSERT_EQ(*relay.relay_once(*c), 1);
  // As if a relay had crashed after pushing and before committing: the row comes back.
  add_rows({{job, "m", 1, 500, 0}});
  ASSERT_EQ(*relay.relay_once(*c), 1);
  EXPECT_EQ(stream_length("m", 1), 1);
  // A new attempt is a new delivery.
  add_rows({{job, "m", 2, 500, 0}});
  ASSERT_EQ(*relay.relay_once(*c), 1);
  EXPECT_EQ(stream_length("m", 1), 2);
}

TEST_F(RelayTest, RowsDueLaterWaitForTheirTime) {
  const std::int64_t later = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count() +
                             60000;
  add_rows({{Uuid::generate_v7(), "m", 1, 500, later}});
  Relay relay(config, stop);
  auto c = db.connect();
  EXPECT_EQ(*relay.relay_once(*c), 0);
  EXPECT_EQ(stream_length("m", 1), 0);
}

TEST_F(RelayTest, SleepsUntilTheEarliestDueRowAtMost) {
  config.relay_poll_ms = 60000;
  Relay relay(config, stop);
  auto c = db.connect();
  EXPECT_EQ(relay.next_due_in_ms(*c), 60000) << "nothing waits: sleep the poll interval";
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  add_rows({{Uuid::generate_v7(), "m", 2, 500, now + 5000},
            {Uuid::generate_v7(), "m", 2, 500, now + 9000}});
  const std::int64_t wait = relay.next_due_in_ms(*c);
  EXPECT_GT(wait, 0);
  EXPECT_LE(wait, 5000);
  add_rows({{Uuid::generate_v7(), "m", 1, 500, 0}});
  EXPECT_EQ(relay.next_due_in_ms(*c), 0);
}

TEST_F(RelayTest, LeavesWebhookRowsToTheWebhookSender) {
  auto c = db.connect();
  {
    pqxx::work tx(*c);
    tx.exec(
        "INSERT INTO outbox (kind, queue, stream_id) VALUES ('webhook', 'e', gen_random_uuid())");
    tx.commit();
  }
  config.relay_poll_ms = 60000;
  Relay relay(config, stop);
  EXPECT_EQ(*relay.relay_once(*c), 0);
  EXPECT_EQ(relay.next_due_in_ms(*c), 60000);
}

TEST_F(RelayTest, RedisDownKeepsRowsForLater) {
  add_rows({{Uuid::generate_v7(), "m", 1, 500, 0}});
  config.redis_port = test::free_port();  // nothing listens there
  Relay relay(config, stop);
  auto c = db.connect();
  auto n = relay.relay_once(*c);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().code, ErrorCode::kUnavailable);
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox")[0].as<int>(), 1);
}

}  // namespace
}  // namespace bl
