// Relays as separate processes of the real binary: several sharing one outbox, one killed
// between its push to Redis and its commit, delayed deliveries, and the order in which a
// backed-up queue is served.

#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "core/outbox_rows.hpp"
#include "core/queue_keys.hpp"
#include "tests/support/job_requests.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/queue_probe.hpp"

namespace bl {
namespace {

constexpr const char* kModel = "test-model";

test::RoleEnv with(test::RoleEnv env, const std::string& key, const std::string& value) {
  env.set(key, value);
  return env;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

long long outbox_rows(const test::TestDatabase& db) {
  auto c = db.connect();
  pqxx::read_transaction tx(*c);
  return tx.exec1("SELECT count(*) FROM outbox")[0].as<long long>();
}

void insert_rows(const test::TestDatabase& db, const std::vector<OutboxRow>& rows) {
  auto c = db.connect();
  pqxx::work tx(*c);
  insert_outbox_rows(tx, rows);
  tx.commit();
}

TEST(RelayFleet, ThreeRelaysShareOneOutboxAndDeliverEveryRowOnce) {
  test::Pipeline p({.start_roles = false});
  std::vector<test::AdminPort> admins(3);
  for (const auto& admin : admins)
    p.start_role("relay", with(admin.env(), "BL_RELAY_BATCH_SIZE", "20"));
  ASSERT_TRUE(test::wait_until([&] {
    for (const auto& a : admins) {
      if (!a.healthy()) return false;
    }
    return true;
  }));

  // 3000 deliveries in 30 transactions, so the relays are woken 30 times and claim
  // concurrently.
  std::set<std::string> jobs;
  for (int t = 0; t < 30; ++t) {
    std::vector<OutboxRow> rows;
    for (int i = 0; i < 100; ++i) {
      const Uuid job = Uuid::generate_v7();
      jobs.insert(job.to_string());
      rows.push_back(OutboxRow{job, kModel, 1, (i % 3) * 400 + 100, 0});
    }
    insert_rows(p.db, rows);
  }

  const test::QueueProbe queue(p.redis, kModel);
  ASSERT_TRUE(test::wait_until([&] { return queue.length() == 3000 && outbox_rows(p.db) == 0; }))
      << queue.length() << " entries, " << outbox_rows(p.db) << " rows left";
  std::set<std::string> delivered;
  for (const auto& e : queue.entries()) {
    EXPECT_EQ(e.band, priority_band(e.priority));
    delivered.insert(e.job);
  }
  EXPECT_EQ(delivered, jobs);
  // Nothing reached a stream twice (a duplicate would count here).
  EXPECT_EQ(queue.entries_added(), 3000);

  double total = 0;
  int relays_that_worked = 0;
  for (const auto& a : admins) {
    const double n = test::metric_value(a.metrics(), "bl_relay_deliveries_total");
    total += n;
    if (n > 0) ++relays_that_worked;
  }
  EXPECT_EQ(total, 3000);
  EXPECT_GE(relays_that_worked, 2) << "SKIP LOCKED should let the relays share the claims";
}

TEST(RelayFleet, ARelayKilledBetweenPushAndCommitLosesAndDuplicatesNothing) {
  test::Pipeline p({.start_roles = false});
  const test::AdminPort worker_admin;
  p.start_role("ingest");
  p.start_role("work", worker_admin.env());
  p.start_role("project");
  ASSERT_TRUE(p.ready());
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(p.post("/v1/jobs", test::jobs_body(i * 100, 100)).status, 202);
  ASSERT_EQ(outbox_rows(p.db), 300);

  // The faulty relay claims 100 rows, pushes them and kills itself before its commit.
  test::Process& faulty = p.start_role(
      "relay", with(with({}, "BL_RELAY_BATCH_SIZE", "100"), "BL_TEST_RELAY_KILL_AFTER_PUSH", "1"));
  ASSERT_TRUE(test::wait_until([&] { return !faulty.running(); }));
  EXPECT_EQ(faulty.term_signal(), SIGKILL);
  const test::QueueProbe queue(p.redis, kModel);
  EXPECT_EQ(queue.entries_added(), 100) << "the push reached Redis";
  EXPECT_EQ(outbox_rows(p.db), 300) << "the delete did not commit";

  // A healthy relay claims all 300 again: the 100 re-sent are de-duplicated.
  const test::AdminPort relay_admin;
  p.start_role("relay", relay_admin.env());
  ASSERT_TRUE(test::wait_until(
      [&] { return test::count_events(p.db, "JobSucceeded") == 300 && outbox_rows(p.db) == 0; },
      std::chrono::seconds(60)))
      << test::count_events(p.db, "JobSucceeded") << " jobs succeeded";
  EXPECT_EQ(queue.entries_added(), 300) << "a worker saw a delivery twice";
  EXPECT_EQ(test::metric_value(relay_admin.metrics(), "bl_relay_duplicate_pushes_total"), 100);
  EXPECT_EQ(test::metric_value(worker_admin.metrics(), "bl_worker_deliveries_skipped_total"), 0);
  auto c = p.db.connect();
  pqxx::read_transaction tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(DISTINCT stream_id) FROM events"
                     " WHERE event_type = 'JobSucceeded'")[0]
                .as<int>(),
            300);
}

TEST(RelayFleet, DelayedDeliveriesWaitForTheirDueTimeWithoutPolling) {
  test::Pipeline p({.start_roles = false});
  const test::AdminPort admin;
  // A poll interval longer than the test: only sleeping until the earliest due time (or a
  // wake-up) can deliver the rows in time.
  p.start_role("relay", with(admin.env(), "BL_RELAY_POLL_MS", "60000"));
  ASSERT_TRUE(test::wait_until([&] { return admin.healthy(); }));
  ASSERT_TRUE(test::wait_until([&] {
    return test::metric_value(admin.metrics(), "bl_relay_claims_total") >= 1;
  })) << "the relay never ran its first claim";

  const Uuid now_job = Uuid::generate_v7(), soon_job = Uuid::generate_v7(),
             later_job = Uuid::generate_v7();
  const std::int64_t t0 = now_ms();
  const std::int64_t soon = t0 + 1500, later = t0 + 3000;
  insert_rows(p.db, {{later_job, kModel, 3, 500, later},
                     {now_job, kModel, 1, 500, 0},
                     {soon_job, kModel, 2, 500, soon}});

  const test::QueueProbe queue(p.redis, kModel);
  ASSERT_TRUE(test::wait_until([&] { return queue.length() == 3; }));
  std::map<std::string, test::StreamEntry> by_job;
  for (const auto& e : queue.entries())
    by_job[e.job] = e;
  ASSERT_EQ(by_job.size(), 3u);
  EXPECT_GE(by_job[soon_job.to_string()].ms(), soon);
  EXPECT_GE(by_job[later_job.to_string()].ms(), later);
  EXPECT_EQ(by_job[later_job.to_string()].attempt, 3);
  EXPECT_LT(by_job[now_job.to_string()].ms(), by_job[soon_job.to_string()].ms());
  // One claim per wake-up and due time, give or take: no busy loop.
  EXPECT_LE(test::metric_value(admin.metrics(), "bl_relay_claims_total"), 20);
}

TEST(RelayFleet, ABackedUpQueueIsServedHighestBandFirst) {
  test::Pipeline p({.start_roles = false});
  p.start_role("ingest");
  p.start_role("relay");
  p.start_role("project");
  ASSERT_TRUE(p.ready());
  // Submitted lowest priority first, so that first-in-first-out would serve them backwards.
  ASSERT_EQ(p.post("/v1/jobs", test::jobs_body(0, 20, kModel, 900)).status, 202);
  ASSERT_EQ(p.post("/v1/jobs", test::jobs_body(20, 20, kModel, 500)).status, 202);
  ASSERT_EQ(p.post("/v1/jobs", test::jobs_body(40, 20, kModel, 10)).status, 202);
  const test::QueueProbe queue(p.redis, kModel);
  ASSERT_TRUE(test::wait_until([&] { return queue.length() == 60; }));

  // One worker holding one delivery at a time takes them in the order it reads them.
  p.start_role("work", with({}, "BL_WORKER_MAX_INFLIGHT", "1"));
  ASSERT_TRUE(test::wait_until([&] { return test::count_events(p.db, "JobSucceeded") == 60; },
                               std::chrono::seconds(60)));
  auto c = p.db.connect();
  pqxx::read_transaction tx(*c);
  std::vector<int> bands;
  for (const auto& r : tx.exec("SELECT (s.data->>'priority')::int FROM events e JOIN events s"
                               " ON s.stream_id = e.stream_id AND s.version = 1"
                               " WHERE e.event_type = 'JobSucceeded' ORDER BY e.position")) {
    bands.push_back(priority_band(r[0].as<int>()));
  }
  ASSERT_EQ(bands.size(), 60u);
  for (std::size_t i = 0; i < bands.size(); ++i)
    EXPECT_EQ(bands[i], static_cast<int>(i / 20)) << "result " << i;
}

TEST(RelayFleet, TheActiveSweeperReportsTheOutboxAndQueueGauges) {
  test::Pipeline p({.start_roles = false});
  std::vector<test::AdminPort> relays(2);
  p.start_role("ingest");
  for (const auto& r : relays)
    p.start_role("relay", r.env());
  ASSERT_TRUE(p.ready());
  ASSERT_EQ(p.post("/v1/jobs", test::jobs_body(0, 5, kModel, 300)).status, 202);
  const std::int64_t later = now_ms() + 3600000;
  insert_rows(p.db, {{Uuid::generate_v7(), kModel, 2, 500, later}});
  // No worker runs: the five wait in band 1, the retry waits in the outbox.
  const std::string queued = R"(model="test-model",band="1")";
  std::string leader_metrics;
  ASSERT_TRUE(test::wait_until([&] {
    for (const auto& r : relays) {
      const std::string m = r.metrics();
      if (test::metric_value(m, "bl_sweeper_leader") == 1 &&
          test::metric_value(m, "bl_queue_length", queued) == 5 &&
          test::metric_value(m, "bl_outbox_depth", R"(kind="job")") == 1) {
        leader_metrics = m;
        return true;
      }
    }
    return false;
  })) << relays[0].metrics();
  EXPECT_EQ(test::metric_value(leader_metrics, "bl_queue_pending", queued), 0);
  EXPECT_EQ(test::metric_value(leader_metrics, "bl_outbox_oldest_due_seconds", R"(kind="job")"), 0)
      << "nothing is due yet";
  // Exactly one relay leads; the other reports no queue gauges at all.
  int leaders = 0;
  for (const auto& r : relays)
    leaders += test::metric_value(r.metrics(), "bl_sweeper_leader") == 1 ? 1 : 0;
  EXPECT_EQ(leaders, 1);
  double delivered = 0;
  for (const auto& r : relays)
    delivered += test::metric_value(r.metrics(), "bl_relay_deliveries_total");
  EXPECT_EQ(delivered, 5);
}

}  // namespace
}  // namespace bl
