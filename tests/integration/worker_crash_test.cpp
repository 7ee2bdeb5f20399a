// Crash recovery: a worker killed with SIGKILL while hundreds of calls are in flight. Its
// deliveries stay pending in Redis; once their leases lapse (the visibility timeout) a live
// worker claims them. Every job finishes and is recorded exactly once.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "tests/support/job_requests.hpp"
#include "tests/support/pipeline.hpp"

namespace bl {
namespace {

std::int64_t mock_requests(const test::Pipeline& p) {
  auto r = test::http("GET", "http://127.0.0.1:" + std::to_string(p.mock_port) + "/mock/stats");
  auto doc = parse_json(r.body);
  return doc.ok() ? json_int(*doc, "requests").value_or(0) : 0;
}

int count(test::Pipeline& p, const std::string& sql) {
  auto c = p.db.connect();
  pqxx::work tx(*c);
  return tx.exec1(sql)[0].as<int>();
}

TEST(WorkerCrash, KilledWorkersJobsFinishOnceEach) {
  test::PipelineOptions o;
  o.mock_latency_ms = 3000;  // calls are in flight when the worker dies
  o.workers = 0;
  test::Pipeline p(o);
  test::RoleEnv lease;
  lease.set("BL_WORKER_VISIBILITY_TIMEOUT_MS", "2000");
  test::Process& doomed = p.start_role("work", lease);
  ASSERT_TRUE(p.ready());
  constexpr int kJobs = 300;
  for (int first = 0; first < kJobs; first += 100) {
    auto r = p.post("/v1/jobs", test::jobs_body(first, 100));
    ASSERT_EQ(r.status, 202) << r.body;
  }
  ASSERT_TRUE(test::wait_until([&] { return mock_requests(p) >= kJobs; }));
  doomed.kill_now();
  // Nothing was recorded before the kill: every call was still waiting on the mock.
  EXPECT_EQ(count(p, "SELECT count(*) FROM events WHERE event_type = 'JobSucceeded'"), 0);

  p.start_role("work", lease);
  ASSERT_TRUE(test::wait_until(
      [&] { return count(p, "SELECT count(*) FROM jobs WHERE status = 'succeeded'") == kJobs; },
      std::chrono::seconds(90), std::chrono::milliseconds(200)));
  EXPECT_EQ(count(p, "SELECT count(*) FROM events WHERE event_type = 'JobSucceeded'"), kJobs);
  EXPECT_EQ(count(p,
                  "SELECT count(*) FROM (SELECT stream_id FROM events WHERE event_type ="
                  " 'JobSucceeded' GROUP BY stream_id HAVING count(*) > 1) d"),
            0);
  EXPECT_EQ(count(p, "SELECT count(*) FROM events WHERE event_type = 'JobFailed'"), 0);
  // Usage is counted once: the read model's total equals one call per job.
  EXPECT_EQ(count(p, "SELECT count(DISTINCT job_id) FROM jobs WHERE output_tokens > 0"), kJobs);
}

TEST(WorkerCrash, DeliveriesClaimedTooOftenFailAsPoison) {
  test::PipelineOptions o;
  o.mock_latency_ms = 3000;
  o.workers = 0;
  test::Pipeline p(o);
  test::RoleEnv lease;
  lease.set("BL_WORKER_VISIBILITY_TIMEOUT_MS", "1000");
  lease.set("BL_WORKER_MAX_DELIVERIES", "1");
  test::Process& doomed = p.start_role("work", lease);
  ASSERT_TRUE(p.ready());
  auto r = p.post("/v1/jobs", test::jobs_body(0, 20));
  ASSERT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(test::wait_until([&] { return mock_requests(p) >= 20; }));
  doomed.kill_now();
  p.start_role("work", lease);
  ASSERT_TRUE(test::wait_until(
      [&] { return count(p, "SELECT count(*) FROM jobs WHERE status = 'failed'") == 20; },
      std::chrono::seconds(60), std::chrono::milliseconds(200)));
  EXPECT_EQ(count(p, "SELECT count(*) FROM jobs WHERE error->>'code' = 'poison_delivery'"), 20);
  EXPECT_EQ(mock_requests(p), 20);  // never called again
}

}  // namespace
}  // namespace bl
