// Ingest while PostgreSQL is down: every request is answered (202 before and after, 503 with
// Retry-After during the outage; none hangs past the client's deadline), and every job that
// was acknowledged with 202 is in the event log once PostgreSQL is back, and completes. The
// test runs its own PostgreSQL cluster so that stopping it disturbs no other test.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "core/pg.hpp"
#include "tests/support/job_requests.hpp"
#include "tests/support/private_postgres.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

TEST(PostgresOutage, IngestAnswers503AndLosesNothingAcknowledged) {
  test::PrivatePostgres pg;
  ASSERT_TRUE(pg.ok()) << "initdb or start of a private cluster failed";
  test::PipelineOptions options;
  options.start_roles = false;
  test::Pipeline p(options);
  p.env.set("BL_DATABASE_URL", pg.url());
  p.env.set("BL_AUTH_MAX_STALENESS_MS", "600000");  // keys stay usable through the outage
  for (const std::string role : {"ingest", "relay", "work", "project"})
    p.start_role(role);
  ASSERT_TRUE(p.ready());
  ASSERT_TRUE(test::wait_until([&] { return p.get("/v1/jobs").status == 200; }));

  std::mutex mu;
  std::set<std::string> acknowledged;
  std::set<long> statuses;
  std::atomic<int> unavailable{0};
  std::atomic<int> without_retry_after{0};
  std::atomic<int> accepted_after_outage{0};
  std::atomic<bool> outage_over{false};
  std::atomic<bool> stop{false};
  std::thread client([&] {
    for (int i = 0; !stop; ++i) {
      auto r = p.post("/v1/jobs", test::jobs_body(i, 1));
      std::lock_guard lock(mu);
      statuses.insert(r.status);
      if (r.status == 202) {
        for (const auto& id : test::job_ids(r.body))
          acknowledged.insert(id);
        if (outage_over) ++accepted_after_outage;
      } else if (r.status == 503) {
        ++unavailable;
        if (r.headers.count("retry-after") == 0) ++without_retry_after;
      }
    }
  });

  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard lock(mu);
    return acknowledged.size() >= 20;
  }));
  ASSERT_TRUE(pg.stop_fast());
  EXPECT_TRUE(test::wait_until([&] { return unavailable >= 20; }, std::chrono::seconds(60)));
  ASSERT_TRUE(pg.start());
  outage_over = true;
  EXPECT_TRUE(
      test::wait_until([&] { return accepted_after_outage >= 20; }, std::chrono::seconds(60)));
  stop = true;
  client.join();

  EXPECT_EQ(without_retry_after.load(), 0);
  for (long s : statuses)
    EXPECT_TRUE(s == 202 || s == 503) << "status " << s << " (0: no answer within 60 s)";

  // Every acknowledged job is in the log and finishes.
  auto conn = pg_connect(pg.url());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(test::wait_until(
      [&] {
        pqxx::work tx(**conn);
        return tx.exec1("SELECT count(*) FROM jobs WHERE status = 'succeeded'")[0]
                   .as<std::size_t>() >= acknowledged.size();
      },
      std::chrono::seconds(120), std::chrono::milliseconds(200)));
  pqxx::work tx(**conn);
  std::size_t found = 0;
  for (const auto& id : acknowledged) {
    auto r = p.get("/v1/jobs/" + id);
    found += r.status == 200 && r.body.find("\"succeeded\"") != std::string::npos;
  }
  EXPECT_EQ(found, acknowledged.size());
  EXPECT_EQ(tx.exec1("SELECT count(*) - count(DISTINCT stream_id) FROM events"
                     " WHERE event_type = 'JobSucceeded'")[0]
                .as<int>(),
            0)
      << "a job succeeded twice";
}

}  // namespace
}  // namespace bl
