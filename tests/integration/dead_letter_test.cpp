// Dead letters: a delivery that keeps failing is retried (a JobAttemptFailed and an outbox row
// due later per attempt) up to worker_max_attempts, then ends as JobFailed with the last
// error. GET /v1/jobs?status=failed (the list endpoint) belongs to the jobs API; here the job
// is read one by one and in the jobs read model.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "tests/support/job_requests.hpp"
#include "tests/support/models_config.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/queue_probe.hpp"

namespace bl {
namespace {

TEST(DeadLetters, AJobFailingEveryAttemptEndsFailedWithTheLastError) {
  test::Pipeline p({.start_roles = false});
  p.env.set("BL_CONFIG", test::write_config_with_unreachable_model(p.mock_port));
  p.env.set("BL_WORKER_MAX_ATTEMPTS", "3");
  for (const char* role : {"ingest", "relay", "work", "project"})
    p.start_role(role);
  ASSERT_TRUE(p.ready());

  auto submitted = p.post("/v1/jobs", test::jobs_body(0, 1, "unreachable-model"));
  ASSERT_EQ(submitted.status, 202) << submitted.body;
  const std::string id = test::job_ids(submitted.body).at(0);
  auto healthy = p.post("/v1/jobs", test::jobs_body(1, 1));
  ASSERT_EQ(healthy.status, 202);

  std::string body;
  ASSERT_TRUE(test::wait_until([&] {
    auto r = p.get("/v1/jobs/" + id);
    body = r.body;
    auto doc = parse_json(r.body);
    return r.status == 200 && doc.ok() && json_string(*doc, "status") == "failed";
  })) << body;
  auto doc = parse_json(body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(json_int(*doc, "attempts"), 3);
  const JsonValue* error = json_member(*doc, "error");
  ASSERT_NE(error, nullptr) << body;
  EXPECT_EQ(json_string(*error, "code"), "connection_error") << body;

  EXPECT_EQ(test::count_events(p.db, "JobAttemptFailed"), 2);
  EXPECT_EQ(test::count_events(p.db, "JobFailed"), 1);
  EXPECT_TRUE(test::wait_until([&] { return test::count_events(p.db, "JobSucceeded") == 1; }));
  // The read model lists it as failed (what GET /v1/jobs?status=failed reads), and nothing is
  // left to deliver.
  auto c = p.db.connect();
  EXPECT_TRUE(test::wait_until([&] {
    pqxx::read_transaction tx(*c);
    return tx.exec1("SELECT count(*) FROM jobs WHERE status = 'failed' AND attempts = 3")[0]
               .as<int>() == 1;
  }));
  pqxx::read_transaction tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox")[0].as<int>(), 0);
}

}  // namespace
}  // namespace bl
