// API keys at the HTTP edge, with two ingest processes: database keys work on every node,
// revocation reaches every node, expired and unknown keys are refused in the envelope, and
// the per-key rate limit is one budget shared by all nodes.

#include <gtest/gtest.h>

#include <chrono>

#include "core/json.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

std::string node_url(int port, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

struct TwoNodes {
  test::Pipeline p{test::PipelineOptions{.start_roles = false}};
  int second_port = test::free_port();

  TwoNodes() {
    p.start_role("ingest");
    test::RoleEnv second;
    second.set("BL_LISTEN", "127.0.0.1:" + std::to_string(second_port));
    p.start_role("ingest", second);
  }
  bool ready() {
    return test::wait_until([&] {
      return test::http("GET", p.url("/healthz")).status == 200 &&
             test::http("GET", node_url(second_port, "/healthz")).status == 200;
    });
  }
  std::vector<int> ports() const { return {p.ingest_port, second_port}; }
};

long list_jobs_status(int port, const std::string& key) {
  return test::http("GET", node_url(port, "/v1/jobs"), "", {test::bearer(key)}).status;
}

TEST(ApiKeys, RevocationReachesEveryIngestNode) {
  TwoNodes n;
  ASSERT_TRUE(n.ready());
  auto created = test::run_batchline(n.p.env, {"orgs", "create", "--name", "acme", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string org = std::string(*json_string(*parse_json(created.out), "id"));
  auto ws_out = test::run_batchline(
      n.p.env, {"workspaces", "create", "--org", org, "--name", "main", "--json"});
  const std::string ws = std::string(*json_string(*parse_json(ws_out.out), "id"));
  auto key_out = test::run_batchline(n.p.env, {"keys", "create", "--workspace", ws, "--json"});
  ASSERT_EQ(key_out.exit_code, 0) << key_out.err;
  auto key_doc = parse_json(key_out.out);
  const std::string key = std::string(*json_string(*key_doc, "key"));
  const std::string key_id = std::string(*json_string(*key_doc, "id"));

  // A new key is usable on every node once their caches reloaded.
  for (int port : n.ports()) {
    EXPECT_TRUE(test::wait_until([&] { return list_jobs_status(port, key) == 200; }))
        << "node " << port;
  }
  auto revoke = test::run_batchline(n.p.env, {"keys", "revoke", key_id});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  const auto revoked_at = std::chrono::steady_clock::now();
  std::vector<double> seconds;
  for (int port : n.ports()) {
    EXPECT_TRUE(test::wait_until([&] { return list_jobs_status(port, key) == 401; }))
        << "node " << port;
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - revoked_at).count());
  }
  // Measured, not asserted (no timing assertions); the bound comes from auth_refresh_ms and
  // the staleness guard (KeyCache tests).
  ::testing::Test::RecordProperty("revocation_seconds_last_node", std::to_string(seconds.back()));
  std::printf("revocation visible on both nodes after %.3f s\n", seconds.back());
  auto refused = test::http("GET", n.p.url("/v1/jobs"), "", {test::bearer(key)});
  auto doc = parse_json(refused.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(json_string((*doc)["error"], "code"), "invalid_api_key");
  EXPECT_EQ(refused.headers["content-type"], "application/json");
  EXPECT_EQ(refused.headers["www-authenticate"], "Bearer");
}

TEST(ApiKeys, MissingUnknownAndExpiredKeysAreRefused) {
  TwoNodes n;
  ASSERT_TRUE(n.ready());
  const auto t = test::make_tenant(n.p.env, "acme");

  EXPECT_TRUE(
      test::wait_until([&] { return list_jobs_status(n.p.ingest_port, t.client_key) == 200; }));
  auto missing = test::http("GET", n.p.url("/v1/jobs"));
  EXPECT_EQ(missing.status, 401);
  auto unknown =
      test::http("GET", n.p.url("/v1/jobs"), "", {test::bearer("bl_" + std::string(43, 'A'))});
  EXPECT_EQ(unknown.status, 401);
  auto malformed = test::http("GET", n.p.url("/v1/jobs"), "", {test::bearer("not a key")});
  EXPECT_EQ(malformed.status, 401);
  // x-api-key works like Authorization: Bearer.
  EXPECT_EQ(test::http("GET", n.p.url("/v1/jobs"), "", {"x-api-key: " + t.client_key}).status, 200);
  // The expiring key works, then stops working on its own. It is made just before its first
  // use, with room for a loaded machine, so that "works" is not already past its expiry.
  auto short_lived = test::run_batchline(
      n.p.env, {"keys", "create", "--workspace", t.workspace_id, "--expires-in", "8s", "--json"});
  ASSERT_EQ(short_lived.exit_code, 0);
  const std::string expiring = std::string(*json_string(*parse_json(short_lived.out), "key"));
  EXPECT_TRUE(test::wait_until([&] { return list_jobs_status(n.p.ingest_port, expiring) == 200; }));
  EXPECT_TRUE(test::wait_until([&] { return list_jobs_status(n.second_port, expiring) == 401; }));
  auto expired = test::http("GET", n.p.url("/v1/jobs"), "", {test::bearer(expiring)});
  EXPECT_NE(expired.body.find("expired"), std::string::npos);

  // Using a key records when it was last used (written in batches).
  auto c = n.p.db.connect();
  EXPECT_TRUE(test::wait_until([&] {
    pqxx::work tx(*c);
    return !tx.exec_params1("SELECT last_used_at FROM api_keys WHERE key_id = $1",
                            t.client_key_id)[0]
                .is_null();
  }));
  // The development key keeps working next to database keys.
  EXPECT_EQ(n.p.get("/v1/jobs").status, 200);
}

TEST(ApiKeys, TheRateLimitIsSharedByAllNodes) {
  TwoNodes n;
  ASSERT_TRUE(n.ready());
  // 3 requests per minute: a burst of 3, then one more every 20 s.
  const auto t = test::make_tenant(n.p.env, "limited", 3);
  const auto other = test::make_tenant(n.p.env, "other");
  // `other` was made after `t`: once a node knows it, it knows `t` too.
  ASSERT_TRUE(test::wait_until([&] {
    return list_jobs_status(n.p.ingest_port, other.client_key) == 200 &&
           list_jobs_status(n.second_port, other.client_key) == 200;
  }));
  // Alternate nodes: the three allowed requests are spread over both.
  EXPECT_EQ(list_jobs_status(n.p.ingest_port, t.client_key), 200);
  EXPECT_EQ(list_jobs_status(n.second_port, t.client_key), 200);
  EXPECT_EQ(list_jobs_status(n.p.ingest_port, t.client_key), 200);
  for (int port : n.ports()) {
    auto limited = test::http("GET", node_url(port, "/v1/jobs"), "", {test::bearer(t.client_key)});
    EXPECT_EQ(limited.status, 429) << "node " << port;
    const int retry_after = std::atoi(limited.headers["retry-after"].c_str());
    EXPECT_GE(retry_after, 1);
    EXPECT_LT(retry_after, 60);
    auto doc = parse_json(limited.body);
    ASSERT_TRUE(doc.ok());
    EXPECT_EQ(json_string((*doc)["error"], "type"), "rate_limit_error");
    EXPECT_EQ(limited.headers["content-type"], "application/json");
  }
  // The Message Batches API refuses in Anthropic's error shape.
  auto anthropic = test::http("GET", n.p.url("/v1/messages/batches"), "",
                              {"x-api-key: " + t.client_key, "anthropic-version: 2023-06-01"});
  EXPECT_EQ(anthropic.status, 429);
  auto shaped = parse_json(anthropic.body);
  ASSERT_TRUE(shaped.ok()) << anthropic.body;
  EXPECT_EQ(json_string(*shaped, "type"), "error");
  EXPECT_EQ(json_string((*shaped)["error"], "type"), "rate_limit_error");
  EXPECT_FALSE(anthropic.headers["retry-after"].empty());
  auto no_key = test::http("GET", n.p.url("/v1/messages/batches"));
  EXPECT_EQ(json_string(*parse_json(no_key.body), "type"), "error");

  // Another key has its own budget.
  EXPECT_EQ(list_jobs_status(n.second_port, other.client_key), 200);
  // The bucket is one Redis key with a hash tag, under this installation's prefix.
  auto redis = n.p.redis.connect();
  auto exists = redis->command({"EXISTS", n.p.redis.prefix() + ":{" + t.client_key_id + "}:rate"});
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ(exists->integer, 1);
}

}  // namespace
}  // namespace bl
