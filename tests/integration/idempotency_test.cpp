// Idempotency-Key on POST: the same key and body give the same answer (and one set of
// events); another body or another endpoint with the key is a 409; a key still running is a
// 409 with Retry-After; a refused request is replayed as refused; a retried command is
// replayed rather than re-judged.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

std::string job(const std::string& prompt) {
  return R"({"model": "test-model", "messages": [{"role": "user", "content": ")" + prompt +
         R"("}]})";
}

struct Fixture : test::TenantPipeline {
  Fixture() : test::TenantPipeline(test::PipelineOptions{.relays = 0, .workers = 0}) {}
};

std::string error_code(const test::HttpResult& r) {
  auto doc = parse_json(r.body);
  return doc.ok() && doc->HasMember("error")
             ? std::string(json_string((*doc)["error"], "code").value_or(""))
             : "";
}

TEST(Idempotency, TheSameKeyAndBodyGiveTheSameAnswerOnce) {
  Fixture f;
  ASSERT_TRUE(f.ready());
  const std::vector<std::string> key{"Idempotency-Key: submit-0001"};
  auto first = f.client.post("/v1/jobs", job("once"), key);
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(first.headers.count("idempotent-replayed"), 0u);
  auto second = f.client.post("/v1/jobs", job("once"), key);
  EXPECT_EQ(second.status, 202);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.headers["idempotent-replayed"], "true");
  EXPECT_EQ(second.headers["content-type"], "application/json");
  EXPECT_EQ(f.count_events("event_type = 'JobSubmitted'"), 1);

  // Without a key, the same body is a new submission.
  EXPECT_EQ(f.client.post("/v1/jobs", job("once")).status, 202);
  EXPECT_EQ(f.count_events("event_type = 'JobSubmitted'"), 2);

  // The same key with another body, or on another endpoint, is refused.
  auto other_body = f.client.post("/v1/jobs", job("twice"), key);
  EXPECT_EQ(other_body.status, 409);
  EXPECT_EQ(error_code(other_body), "idempotency_key_reused");
  auto other_route = f.client.post("/v1/jobs/job_0190aaaabbbbccccdddd111122223333/cancel", "", key);
  EXPECT_EQ(other_route.status, 409);
  EXPECT_EQ(f.count_events("event_type = 'JobSubmitted'"), 2);

  // Keys are checked.
  auto bad = f.client.post("/v1/jobs", job("x"), {"Idempotency-Key: has space"});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_code(bad), "invalid_idempotency_key");
  EXPECT_EQ(
      f.client.post("/v1/jobs", job("x"), {"Idempotency-Key: " + std::string(256, 'k')}).status,
      400);

  // The recorded answer is sealed at rest.
  const std::string dump =
      test::run_command("pg_dump --data-only -t idempotency_keys '" + f.p.db.url() + "'");
  EXPECT_NE(dump.find("COPY public.idempotency_keys"), std::string::npos);
  EXPECT_EQ(dump.find("job_"), std::string::npos);
  EXPECT_EQ(dump.find("submit-0001"), std::string::npos);
}

TEST(Idempotency, ARetriedCommandIsReplayedNotRejudged) {
  Fixture f;
  ASSERT_TRUE(f.ready());
  auto submitted = f.client.post("/v1/jobs", job("cancel me"));
  const std::string id = std::string(*json_string((*parse_json(submitted.body))["data"][0], "id"));
  const std::vector<std::string> key{"Idempotency-Key: cancel-" + id};
  auto first = f.client.post("/v1/jobs/" + id + "/cancel", "", key);
  ASSERT_EQ(first.status, 200) << first.body;
  // The client lost the answer and retries: it gets the same 200, not a 409 "cancelled".
  auto retry = f.client.post("/v1/jobs/" + id + "/cancel", "", key);
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(f.count_events("event_type = 'JobCancelled'"), 1);
  // Without the key, the state table answers.
  EXPECT_EQ(f.client.post("/v1/jobs/" + id + "/cancel", "").status, 409);
}

TEST(Idempotency, RefusalsAreReplayedAndRunningRequestsAreNotRepeated) {
  Fixture f;
  ASSERT_TRUE(f.ready());
  const std::vector<std::string> key{"Idempotency-Key: bad-request-7"};
  const std::string invalid = R"({"model": "nope", "messages": []})";
  auto first = f.client.post("/v1/jobs", invalid, key);
  EXPECT_EQ(first.status, 400);
  auto again = f.client.post("/v1/jobs", invalid, key);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.headers["idempotent-replayed"], "true");

  // A first request still running (its record has no answer yet): a repeat must wait.
  {
    auto c = f.p.db.connect();
    pqxx::work tx(*c);
    tx.exec_params(
        "INSERT INTO idempotency_keys (scope, key_hash, fingerprint, expires_at)"
        " VALUES ($1, sha256('in-flight-3'::bytea), sha256(('POST' || chr(10) || '/v1/jobs?' ||"
        " chr(10) || $2)::bytea), now() + interval '1 hour')",
        f.tenant.workspace_id, job("running"));
    tx.commit();
  }
  auto running = f.client.post("/v1/jobs", job("running"), {"Idempotency-Key: in-flight-3"});
  EXPECT_EQ(running.status, 409);
  EXPECT_EQ(error_code(running), "idempotency_key_in_use");
  EXPECT_EQ(running.headers["retry-after"], "1");
  EXPECT_EQ(f.count_events("event_type = 'JobSubmitted'"), 0);
}

}  // namespace
}  // namespace bl
