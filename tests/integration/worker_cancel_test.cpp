// Cancellation of a job whose provider call is in flight: the worker hears it on the cancel
// channel, removes the call's curl handle and acknowledges the delivery; nothing is recorded
// but the JobCancelled that ingest appended.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "tests/support/job_requests.hpp"
#include "tests/support/pipeline.hpp"

namespace bl {
namespace {

TEST(WorkerCancel, CancellingAJobInFlightAbortsItsCall) {
  test::PipelineOptions o;
  o.mock_latency_ms = 20000;
  test::Pipeline p(o);
  ASSERT_TRUE(p.ready());
  auto r = p.post("/v1/jobs", test::jobs_body(0, 5));
  ASSERT_EQ(r.status, 202) << r.body;
  const auto ids = test::job_ids(r.body);
  ASSERT_EQ(ids.size(), 5u);
  auto mock_requests = [&] {
    auto s = test::http("GET", "http://127.0.0.1:" + std::to_string(p.mock_port) + "/mock/stats");
    auto doc = parse_json(s.body);
    return doc.ok() ? json_int(*doc, "requests").value_or(0) : 0;
  };
  ASSERT_TRUE(test::wait_until([&] { return mock_requests() == 5; }));
  // The worker aborts the calls (it logs each) long before the mock would have answered. The
  // log file may hold an earlier run's lines: count only what follows.
  const std::string log = p.processes[2]->log_path();  // ingest, relay, work, project
  const std::size_t before = test::read_file(log).size();
  for (const auto& id : ids)
    EXPECT_EQ(p.post("/v1/jobs/" + id + "/cancel", "").status, 200);
  ASSERT_TRUE(test::wait_until([&] {
    const std::string text = test::read_file(log);
    std::size_t n = 0;
    for (std::size_t at = before;
         (at = text.find("worker.call_cancelled", at)) != std::string::npos; ++at)
      ++n;
    return n == 5;
  }));
  auto c = p.db.connect();
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM events WHERE event_type = 'JobCancelled'")[0].as<int>(),
            5);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM events WHERE event_type = 'JobSucceeded'")[0].as<int>(),
            0);
}

}  // namespace
}  // namespace bl
