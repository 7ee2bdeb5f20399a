// Tenant isolation: every read and write endpoint of the jobs and admin APIs, probed with
// another tenant's valid key and the first tenant's ids, answers exactly like a missing
// object (404) and changes nothing.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

std::string one_job(const std::string& prompt) {
  return R"({"model": "test-model", "messages": [{"role": "user", "content": ")" + prompt +
         R"("}]})";
}

std::string first_id(const test::HttpResult& r) {
  auto doc = parse_json(r.body);
  if (!doc.ok() || !doc->HasMember("data")) return "";
  return std::string(*json_string((*doc)["data"][0], "id"));
}

std::string error_of(const test::HttpResult& r) {
  auto doc = parse_json(r.body);
  if (!doc.ok() || !doc->HasMember("error")) return "";
  JsonDocument copy;
  copy.CopyFrom((*doc)["error"], copy.GetAllocator());
  return to_json(copy);
}

// Everything a probe could change: job events, keys, workspaces.
std::string state_digest(const test::TestDatabase& db) {
  auto c = db.connect();
  pqxx::work tx(*c);
  return tx
      .exec1(
          "SELECT (SELECT count(*) FROM events WHERE stream_type <> 'audit') || '/' ||"
          " (SELECT coalesce(max(position), 0) FROM events WHERE stream_type <> 'audit') || '/' ||"
          " (SELECT count(*) FROM api_keys) || '/' ||"
          " (SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL) || '/' ||"
          " (SELECT count(*) FROM workspaces) || '/' || (SELECT count(*) FROM organizations)")[0]
      .as<std::string>();
}

TEST(TenantIsolation, AnotherTenantsKeySeesAndChangesNothing) {
  test::Pipeline p;
  const auto a = test::make_tenant(p.env, "alpha");
  const auto b = test::make_tenant(p.env, "beta");
  ASSERT_TRUE(p.ready());
  test::ApiClient alpha{p.ingest_port, a.client_key};
  test::ApiClient beta{p.ingest_port, b.client_key};
  test::ApiClient beta_admin{p.ingest_port, b.admin_key};
  ASSERT_TRUE(
      test::wait_until([&] { return beta_admin.get("/v1/organization/keys").status == 200; }));

  // Alpha: one job that succeeded, then (workers stopped) one that stays queued.
  const std::string done = first_id(alpha.post("/v1/jobs", one_job("alpha secret one")));
  ASSERT_FALSE(done.empty());
  ASSERT_NE(alpha.get("/v1/jobs/" + done + "?wait=30").body.find("succeeded"), std::string::npos);
  for (auto& proc : p.processes) {
    if (proc->log_path().find("/work-") != std::string::npos) proc->stop();
  }
  const std::string queued = first_id(alpha.post("/v1/jobs", one_job("alpha secret two")));
  ASSERT_FALSE(queued.empty());
  const std::string missing_job = "job_0190aaaabbbbccccdddd111122223333";
  const std::string missing_key = "key_0190aaaabbbbccccdddd111122223333";
  const std::string before = state_digest(p.db);

  // Reads: a 404 indistinguishable from a missing job.
  const auto not_found = beta.get("/v1/jobs/" + missing_job);
  ASSERT_EQ(not_found.status, 404);
  for (const std::string& path :
       {"/v1/jobs/" + done, "/v1/jobs/" + queued, "/v1/jobs/" + done + "?wait=5"}) {
    auto r = beta.get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(error_of(r), error_of(not_found)) << path;
    EXPECT_EQ(r.body.find("alpha"), std::string::npos);
  }
  for (const std::string& path : {std::string("/v1/jobs"), std::string("/v1/jobs?status=succeeded"),
                                  "/v1/jobs?after=" + missing_job}) {
    auto r = beta.get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(parse_json(r.body)->operator[]("data").Size(), 0u) << path;
  }

  // Writes: 404, and nothing changes.
  const auto not_found_cmd = beta.post("/v1/jobs/" + missing_job + "/cancel", "");
  for (const std::string& path :
       {"/v1/jobs/" + queued + "/cancel", "/v1/jobs/" + done + "/consume",
        "/v1/jobs/" + done + "/consume-failed", "/v1/jobs/" + queued + "/consume"}) {
    auto r = beta.post(path, "");
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(error_of(r), error_of(not_found_cmd)) << path;
  }

  // Admin endpoints: alpha's keys, workspace and organization do not exist for beta's admin.
  const auto key_missing = beta_admin.get("/v1/organization/keys/" + missing_key);
  ASSERT_EQ(key_missing.status, 404);
  auto foreign_key = beta_admin.get("/v1/organization/keys/" + a.client_key_id);
  EXPECT_EQ(foreign_key.status, 404);
  EXPECT_EQ(error_of(foreign_key), error_of(key_missing));
  EXPECT_EQ(beta_admin.post("/v1/organization/keys/" + a.client_key_id + "/revoke", "").status,
            404);
  EXPECT_EQ(beta_admin.post("/v1/organization/keys/" + a.admin_key_id + "/revoke", "").status, 404);
  EXPECT_EQ(
      beta_admin.post("/v1/organization/keys", R"({"workspace_id": ")" + a.workspace_id + "\"}")
          .status,
      404);
  EXPECT_EQ(beta_admin
                .post("/v1/organization/keys",
                      R"({"scope": "admin", "organization_id": ")" + a.org_id + "\"}")
                .status,
            404);
  EXPECT_EQ(beta_admin
                .post("/v1/organization/workspaces",
                      R"({"name": "x", "organization_id": ")" + a.org_id + "\"}")
                .status,
            404);
  EXPECT_EQ(beta_admin.get("/v1/organization/workspaces?organization_id=" + a.org_id).status, 404);
  auto keys = beta_admin.get("/v1/organization/keys?include_revoked=true");
  EXPECT_EQ(keys.status, 200);
  EXPECT_EQ(keys.body.find(a.client_key_id), std::string::npos);
  EXPECT_EQ(keys.body.find(a.admin_key_id), std::string::npos);
  auto workspaces = beta_admin.get("/v1/organization/workspaces");
  EXPECT_EQ(workspaces.body.find(a.workspace_id), std::string::npos);
  EXPECT_NE(workspaces.body.find(b.workspace_id), std::string::npos);

  // Keys of the wrong kind are refused by kind (403), whatever the object.
  EXPECT_EQ(beta.get("/v1/organization/keys").status, 403);
  EXPECT_EQ(beta_admin.get("/v1/jobs").status, 403);
  EXPECT_EQ(beta_admin.get("/v1/organizations").status, 403);

  EXPECT_EQ(state_digest(p.db), before);
  // Alpha is untouched: its key works, its jobs are as they were.
  EXPECT_NE(alpha.get("/v1/jobs/" + queued).body.find("\"queued\""), std::string::npos);
  EXPECT_NE(alpha.get("/v1/jobs/" + done).body.find("\"succeeded\""), std::string::npos);
}

TEST(TenantIsolation, IdempotencyKeysBelongToOneTenant) {
  test::Pipeline p(test::PipelineOptions{.relays = 0, .workers = 0});
  const auto a = test::make_tenant(p.env, "alpha");
  const auto b = test::make_tenant(p.env, "beta");
  ASSERT_TRUE(p.ready());
  test::ApiClient alpha{p.ingest_port, a.client_key};
  test::ApiClient beta{p.ingest_port, b.client_key};
  ASSERT_TRUE(test::wait_until([&] { return beta.get("/v1/jobs").status == 200; }));
  const std::string body = one_job("same body");
  auto ra = alpha.post("/v1/jobs", body, {"Idempotency-Key: shared-key-1"});
  auto rb = beta.post("/v1/jobs", body, {"Idempotency-Key: shared-key-1"});
  ASSERT_EQ(ra.status, 202);
  ASSERT_EQ(rb.status, 202);
  EXPECT_NE(first_id(ra), first_id(rb));
  EXPECT_EQ(rb.headers.count("idempotent-replayed"), 0u);
  EXPECT_EQ(beta.get("/v1/jobs/" + first_id(ra)).status, 404);
}

}  // namespace
}  // namespace bl
