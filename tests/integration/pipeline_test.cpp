// End to end: HTTP -> event log + outbox -> relay -> Redis -> worker -> mock LLM -> result
// event -> read model -> client poll, each role a separate process of the real binary.

#include "tests/support/pipeline.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/json.hpp"
#include "tests/support/job_requests.hpp"

namespace bl {
namespace {

using test::jobs_body;

TEST(Pipeline, TwoHundredJobsSucceedAndAreReadable) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  std::vector<std::pair<std::string, int>> jobs;  // api id, index
  for (int batch = 0; batch < 2; ++batch) {
    auto r = p.post("/v1/jobs", jobs_body(batch * 100, 100));
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json");
    auto doc = parse_json(r.body);
    ASSERT_TRUE(doc.ok());
    const auto& data = (*doc)["data"];
    ASSERT_EQ(data.Size(), 100u);
    for (rapidjson::SizeType i = 0; i < data.Size(); ++i) {
      EXPECT_EQ(json_string(data[i], "status"), "queued");
      jobs.emplace_back(std::string(*json_string(data[i], "id")),
                        batch * 100 + static_cast<int>(i));
    }
  }
  // Read-your-writes: a job is readable the moment its 202 was sent.
  auto first = p.get("/v1/jobs/" + jobs.front().first);
  ASSERT_EQ(first.status, 200) << first.body;

  std::set<std::string> pending;
  for (const auto& j : jobs)
    pending.insert(j.first);
  std::map<std::string, std::string> bodies;
  ASSERT_TRUE(test::wait_until(
      [&] {
        for (auto it = pending.begin(); it != pending.end();) {
          auto r = p.get("/v1/jobs/" + *it);
          auto doc = parse_json(r.body);
          if (r.status == 200 && doc.ok() && json_string(*doc, "status") == "succeeded") {
            bodies[*it] = r.body;
            it = pending.erase(it);
          } else {
            ++it;
          }
        }
        return pending.empty();
      },
      std::chrono::seconds(60), std::chrono::milliseconds(100)))
      << pending.size() << " jobs did not finish";

  for (const auto& [id, index] : jobs) {
    auto doc = parse_json(bodies[id]);
    ASSERT_TRUE(doc.ok());
    EXPECT_EQ(json_string(*doc, "custom_id"), "job-" + std::to_string(index));
    const JsonValue& result = (*doc)["result"];
    EXPECT_EQ(json_string(result["message"], "content"), "Echo: question " + std::to_string(index));
    EXPECT_EQ(json_string(result, "finish_reason"), "stop");
    EXPECT_GT(json_int(result["usage"], "input_tokens").value_or(0), 0);
    EXPECT_GT(json_int(result["usage"], "cost_nano_usd").value_or(0), 0);
    EXPECT_EQ(json_int(*doc, "attempts"), 1);
  }

  // The read model caught up: every job is there, once, succeeded; nothing is left queued.
  auto c = p.db.connect();
  ASSERT_TRUE(test::wait_until([&] {
    pqxx::work tx(*c);
    return tx.exec1("SELECT count(*) FROM jobs WHERE status = 'succeeded'")[0].as<int>() == 200;
  }));
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM jobs")[0].as<int>(), 200);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM events WHERE event_type = 'JobSucceeded'")[0].as<int>(),
            200);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox")[0].as<int>(), 0);
  tx.commit();

  // Content is sealed at rest and never logged: neither prompts nor completions appear in a
  // dump of the database or in any process's log (which ran at debug level).
  const std::string dump = test::run_command("pg_dump '" + p.db.url() + "'");
  ASSERT_NE(dump.find("JobSucceeded"), std::string::npos) << "the dump did not work";
  EXPECT_EQ(dump.find("question 1"), std::string::npos);
  EXPECT_EQ(dump.find("Echo:"), std::string::npos);
  EXPECT_EQ(dump.find("be brief"), std::string::npos);
  for (const auto& proc : p.processes) {
    const std::string log = test::read_file(proc->log_path());
    EXPECT_EQ(log.find("question"), std::string::npos) << proc->log_path();
    EXPECT_EQ(log.find("Echo"), std::string::npos) << proc->log_path();
  }
}

TEST(Pipeline, ErrorsUseTheEnvelope) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  auto unauth = test::http("POST", p.url("/v1/jobs"), "{}");
  EXPECT_EQ(unauth.status, 401);
  auto doc = parse_json(unauth.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(json_string((*doc)["error"], "type"), "authentication_error");
  EXPECT_EQ(json_int((*doc)["error"], "status"), 401);

  auto bad = p.post("/v1/jobs", R"({"jobs":[{"model":"nope","messages":[]}]})");
  EXPECT_EQ(bad.status, 400);
  auto missing = p.get("/v1/jobs/job_00000000000000000000000000000000");
  EXPECT_EQ(missing.status, 404);
  auto garbage = p.get("/v1/jobs/whatever");
  EXPECT_EQ(garbage.status, 404);
  auto route = p.get("/v1/nothing-here");
  EXPECT_EQ(route.status, 404);
  EXPECT_FALSE(route.headers["x-request-id"].empty());
  auto echoed = test::http("GET", p.url("/healthz"), "", {"X-Request-Id: my-trace-1"});
  EXPECT_EQ(echoed.headers["x-request-id"], "my-trace-1");
}

TEST(Pipeline, RolesStopCleanlyOnSigterm) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  auto r = p.post("/v1/jobs", jobs_body(0, 5));
  ASSERT_EQ(r.status, 202);
  for (auto& proc : p.processes)
    EXPECT_EQ(proc->stop(15), 0) << proc->log_path();
}

}  // namespace
}  // namespace bl
