// The sweeper in process, against the real PostgreSQL and Redis: which queued jobs it finds
// lost, which it leaves alone, and that only one sweeper leads.

#include "outbox/sweeper.hpp"

#include <gtest/gtest.h>

#include "core/advisory_lock.hpp"
#include "core/crypto.hpp"
#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "core/outbox_rows.hpp"
#include "outbox/relay.hpp"
#include "projections/jobs_projection.hpp"
#include "projections/projector.hpp"
#include "tests/support/queue_probe.hpp"
#include "tests/support/test_env.hpp"

namespace bl {
namespace {

constexpr const char* kModel = "m";

class SweeperTest : public ::testing::Test {
 protected:
  SweeperTest() {
    config.database_url = db.url();
    config.redis_host = test::redis_host();
    config.redis_port = test::redis_port();
    config.redis_prefix = redis.prefix();
    config.sweeper_timeout_ms = 10;
    (void)config.keyring.add_key("k1", random_bytes(DataKeyring::kKeyBytes));
    (void)config.keyring.set_active("k1");
  }

  // Submits jobs as ingest does (event + outbox row), relays them and projects the read model.
  std::vector<Uuid> submit_and_relay(int n) {
    std::vector<Uuid> ids;
    std::vector<StreamAppend> appends;
    std::vector<OutboxRow> rows;
    for (int i = 0; i < n; ++i) {
      const Uuid id = Uuid::generate_v7();
      JobSubmitted e;
      e.model = kModel;
      e.priority = 100;
      e.request_json = R"({"messages":[]})";
      appends.push_back({id,
                         std::string(kJobStreamType),
                         0,
                         {{"JobSubmitted", *encode(e, config.keyring, id), "{}"}}});
      rows.push_back({id, kModel, 1, 100, 0});
      ids.push_back(id);
    }
    {
      pqxx::work tx(*conn);
      EXPECT_TRUE(append_events(tx, appends).ok());
      insert_outbox_rows(tx, rows);
      tx.commit();
    }
    EXPECT_EQ(relay_all(), n);
    project();
    return ids;
  }

  int relay_all() {
    Relay relay(config, stop);
    int total = 0;
    for (int n = 1; n > 0; total += n)
      n = *relay.relay_once(*conn);
    return total;
  }

  // Appends one event at version 2 of a job's stream, with an outbox row when given.
  void append_second_event(const Uuid& job, const char* type, const std::string& data,
                           const std::vector<OutboxRow>& rows = {}) {
    pqxx::work tx(*conn);
    ASSERT_TRUE(
        append_events(tx, {{job, std::string(kJobStreamType), 1, {{type, data, "{}"}}}}).ok());
    insert_outbox_rows(tx, rows);
    tx.commit();
  }

  // Until the read model holds every job at its last version (a transaction of a test running
  // beside this one may hold the projection back for a moment).
  void project() {
    Projector projector(config, stop, {});
    JobsProjection jobs;
    ASSERT_TRUE(test::wait_until([&] {
      while (*projector.project_once(*conn, jobs) > 0) {
      }
      pqxx::read_transaction tx(*conn);
      return tx.exec1(
                   "SELECT count(*) FROM (SELECT stream_id, max(version) AS v FROM events"
                   " WHERE stream_type = 'job' GROUP BY stream_id) e"
                   " LEFT JOIN jobs j ON j.job_id = e.stream_id AND j.version = e.v"
                   " WHERE j.job_id IS NULL")[0]
                 .as<int>() == 0;
    }));
  }

  SweepResult sweep_when_quiet(Sweeper& sweeper) {
    SweepResult r;
    // Jobs become candidates once their last event is older than the (10 ms) timeout.
    EXPECT_TRUE(test::wait_until([&] {
      auto s = sweeper.sweep_once(*conn);
      EXPECT_TRUE(s.ok());
      r = *s;
      return r.examined > 0;
    }));
    return r;
  }

  // Deletes every key of this test's installation: what FLUSHALL does to it.
  void lose_redis_data() {
    auto c = redis.connect();
    auto keys = c->command({"KEYS", redis.prefix() + ":*"});
    for (const auto& k : keys->elements)
      (void)c->command({"DEL", k.str});
  }

  long long outbox_attempts(const Uuid& job) {
    pqxx::read_transaction tx(*conn);
    auto r =
        tx.exec_params("SELECT attempt FROM outbox WHERE stream_id = $1::uuid", job.to_string());
    return r.empty() ? 0 : r[0][0].as<long long>();
  }

  test::TestDatabase db;
  test::TestRedis redis;
  Config config;
  StopSignal stop;
  PgConnectionPtr conn = db.connect();
};

TEST_F(SweeperTest, LeavesJobsWhoseDeliveryIsInRedis) {
  submit_and_relay(5);
  Sweeper sweeper(config, stop);
  const SweepResult r = sweep_when_quiet(sweeper);
  EXPECT_EQ(r.examined, 5);
  EXPECT_EQ(r.lost, 0);
  EXPECT_EQ(r.redispatched, 0);
}

TEST_F(SweeperTest, RedispatchesJobsWhoseDeliveryRedisLost) {
  const auto ids = submit_and_relay(5);
  lose_redis_data();
  Sweeper sweeper(config, stop);
  const SweepResult r = sweep_when_quiet(sweeper);
  EXPECT_EQ(r.lost, 5);
  EXPECT_EQ(r.redispatched, 5);
  for (const auto& id : ids)
    EXPECT_EQ(outbox_attempts(id), 1);
  // The relay pushes them again, and a second pass finds nothing more to do.
  EXPECT_EQ(relay_all(), 5);
  EXPECT_EQ(test::QueueProbe(redis, kModel).length(), 5);
  auto again = sweeper.sweep_once(*conn);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->redispatched, 0);
}

TEST_F(SweeperTest, RedispatchesTheCurrentAttempt) {
  const Uuid job = submit_and_relay(1)[0];
  // Attempt 1 failed; attempt 2 was relayed; then Redis lost it.
  JobAttemptFailed f;
  f.attempt = 1;
  f.error.code = "server_error";
  append_second_event(job, "JobAttemptFailed", *encode(f, config.keyring, job),
                      {{job, kModel, 2, 100, 0}});
  ASSERT_EQ(relay_all(), 1);
  project();
  lose_redis_data();
  Sweeper sweeper(config, stop);
  EXPECT_EQ(sweep_when_quiet(sweeper).redispatched, 1);
  EXPECT_EQ(outbox_attempts(job), 2);
}

TEST_F(SweeperTest, LeavesJobsThatStillHaveAnOutboxRow) {
  const Uuid job = submit_and_relay(1)[0];
  lose_redis_data();
  {
    pqxx::work tx(*conn);
    insert_outbox_rows(tx, {{job, kModel, 1, 100, 0}});  // e.g. a retry not due yet
    tx.commit();
  }
  Sweeper sweeper(config, stop);
  auto r = sweeper.sweep_once(*conn);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->examined, 0);
}

TEST_F(SweeperTest, ConfirmsFromTheLogThatTheJobIsStillQueued) {
  const Uuid job = submit_and_relay(1)[0];
  // A result the read model has not seen yet.
  JobFailed f;
  f.error.code = "invalid_request";
  append_second_event(job, "JobFailed", *encode(f, config.keyring, job));
  lose_redis_data();
  Sweeper sweeper(config, stop);
  const SweepResult r = sweep_when_quiet(sweeper);
  EXPECT_EQ(r.lost, 1);
  EXPECT_EQ(r.redispatched, 0);
  EXPECT_EQ(outbox_attempts(job), 0);
}

TEST_F(SweeperTest, TakesAnAcknowledgedMarkerOfAQueuedJobForALostDelivery) {
  const Uuid job = submit_and_relay(1)[0];
  const std::string marker = QueueKeys(redis.prefix()).delivery(kModel, job, 1);
  lose_redis_data();
  auto c = redis.connect();
  ASSERT_TRUE(c->command({"SET", marker, kMarkerAcked, "PX", "600000"}).ok());
  Sweeper sweeper(config, stop);
  EXPECT_EQ(sweep_when_quiet(sweeper).redispatched, 1);
  // The tombstone is gone, so the relay's SET NX lets the new delivery through.
  EXPECT_EQ(relay_all(), 1);
  EXPECT_EQ(test::QueueProbe(redis, kModel).length(), 1);
}

TEST_F(SweeperTest, IgnoresJobsYoungerThanTheTimeout) {
  submit_and_relay(3);
  lose_redis_data();
  config.sweeper_timeout_ms = 3600000;
  Sweeper sweeper(config, stop);
  auto r = sweeper.sweep_once(*conn);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->examined, 0);
}

TEST_F(SweeperTest, WalksPagesOfCandidates) {
  submit_and_relay(2500);  // more than one page of 1000
  lose_redis_data();
  Sweeper sweeper(config, stop);
  const SweepResult r = sweep_when_quiet(sweeper);
  EXPECT_EQ(r.examined, 2500);
  EXPECT_EQ(r.redispatched, 2500);
}

TEST_F(SweeperTest, OnlyOneSweeperLeads) {
  auto other = db.connect();
  auto first = try_lead(*conn, "sweeper");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  auto second = try_lead(*other, "sweeper");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  conn.reset();  // the leader's session ends
  EXPECT_TRUE(test::wait_until([&] { return *try_lead(*other, "sweeper"); }));
}

}  // namespace
}  // namespace bl
