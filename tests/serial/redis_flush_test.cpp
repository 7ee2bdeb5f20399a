// Redis loses everything in the middle of a run (FLUSHALL: streams, consumer groups, delivery
// markers, pending entries). PostgreSQL holds the truth, so the sweeper re-dispatches what was
// lost and every job still completes, each result recorded once.
//
// FLUSHALL empties the whole Redis server, so this test runs alone (RUN_SERIAL, see
// tests/CMakeLists.txt) on the Redis of BL_TEST_REDIS_URL, never beside another test.

#include <gtest/gtest.h>

#include "tests/support/job_requests.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/queue_probe.hpp"

namespace bl {
namespace {

constexpr int kJobs = 600;

TEST(RedisLoss, EveryJobCompletesOnceAfterFlushallMidRun) {
  // Slow calls and little concurrency, so that most jobs still wait in Redis when it is
  // flushed.
  test::Pipeline p({.mock_latency_ms = 150, .start_roles = false});
  p.env.set("BL_SWEEPER_TIMEOUT_MS", "500");
  p.env.set("BL_SWEEPER_INTERVAL_MS", "200");
  p.env.set("BL_WORKER_MAX_INFLIGHT", "8");
  std::vector<test::AdminPort> relays(2);
  p.start_role("ingest");
  for (const auto& r : relays)
    p.start_role("relay", r.env());
  p.start_role("work");
  p.start_role("work");
  p.start_role("project");
  ASSERT_TRUE(p.ready());
  for (int i = 0; i < kJobs / 100; ++i)
    ASSERT_EQ(p.post("/v1/jobs", test::jobs_body(i * 100, 100)).status, 202);

  ASSERT_TRUE(test::wait_until([&] { return test::count_events(p.db, "JobSucceeded") >= 50; }));
  auto redis = p.redis.connect();
  ASSERT_TRUE(redis->command({"FLUSHALL"}).ok());
  const long long done_at_flush = test::count_events(p.db, "JobSucceeded");
  ASSERT_LT(done_at_flush, kJobs / 2) << "the run ended before Redis was flushed";

  ASSERT_TRUE(test::wait_until([&] { return test::count_events(p.db, "JobSucceeded") >= kJobs; },
                               std::chrono::seconds(120)))
      << test::count_events(p.db, "JobSucceeded") << " of " << kJobs << " jobs succeeded";

  EXPECT_EQ(test::count_events(p.db, "JobSucceeded"), kJobs);
  auto c = p.db.connect();
  {
    pqxx::read_transaction tx(*c);
    EXPECT_EQ(tx.exec1("SELECT count(DISTINCT stream_id) FROM events"
                       " WHERE event_type = 'JobSucceeded'")[0]
                  .as<int>(),
              kJobs);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM events WHERE event_type IN"
                       " ('JobFailed', 'JobAttemptFailed')")[0]
                  .as<int>(),
              0);
  }
  // The lost deliveries came back through the sweeper, not by luck.
  double redispatched = 0;
  for (const auto& r : relays)
    redispatched += test::metric_value(r.metrics(), "bl_sweeper_redispatched_total");
  EXPECT_GT(redispatched, 0);
  EXPECT_LE(redispatched, kJobs - done_at_flush);
  EXPECT_TRUE(test::wait_until([&] {
    pqxx::read_transaction t(*c);
    return t.exec1("SELECT count(*) FROM outbox")[0].as<int>() == 0;
  }));
}

}  // namespace
}  // namespace bl
