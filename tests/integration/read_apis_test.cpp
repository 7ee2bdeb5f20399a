// The usage, quota and audit APIs over HTTP, end to end (ingest, relay, worker and projector
// processes of the real binary): figures appear once the projector has folded the results,
// each tenant sees only its own, and an organization over its quota is refused with 429.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

std::string jobs_of(int n) {
  std::string body = R"({"jobs": [)";
  for (int i = 0; i < n; ++i) {
    body += std::string(i ? "," : "") +
            R"({"model": "test-model", "messages": [{"role": "user", "content": "usage )" +
            std::to_string(i) + R"("}]})";
  }
  return body + "]}";
}

JsonDocument parsed(const test::HttpResult& r) {
  auto doc = parse_json(r.body);
  return doc.ok() ? std::move(*doc) : JsonDocument();
}

std::int64_t requests_of(const test::HttpResult& r) {
  const JsonDocument doc = parsed(r);
  std::int64_t n = 0;
  if (r.status != 200 || !doc.IsObject() || !doc.HasMember("data")) return -1;
  for (const auto& g : doc["data"].GetArray())
    n += json_int(g, "requests").value_or(0);
  return n;
}

std::string error_code(const test::HttpResult& r) {
  const JsonDocument doc = parsed(r);
  if (!doc.IsObject() || !doc.HasMember("error")) return "";
  return std::string(json_string(doc["error"], "code").value_or(""));
}

class ReadApisTest : public ::testing::Test {
 protected:
  ReadApisTest()
      : a(test::make_tenant(p.env, "alpha")),
        b(test::make_tenant(p.env, "beta")),
        alpha{p.ingest_port, a.client_key},
        alpha_admin{p.ingest_port, a.admin_key},
        beta{p.ingest_port, b.client_key},
        beta_admin{p.ingest_port, b.admin_key} {}

  void SetUp() override {
    ASSERT_TRUE(p.ready());
    ASSERT_TRUE(test::wait_until(
        [&] { return alpha.get("/v1/jobs").status == 200 && beta.get("/v1/jobs").status == 200; }));
    ASSERT_EQ(alpha.post("/v1/jobs", jobs_of(3)).status, 202);
    ASSERT_TRUE(test::wait_until([&] { return requests_of(alpha.get("/v1/usage")) == 3; },
                                 std::chrono::seconds(60)));
  }

  test::Pipeline p;
  test::TestTenant a, b;
  test::ApiClient alpha, alpha_admin, beta, beta_admin;
};

TEST_F(ReadApisTest, UsageIsGroupedAndPerTenant) {
  const JsonDocument by_model = parsed(alpha.get("/v1/usage?group_by=model"));
  ASSERT_EQ(by_model["data"].Size(), 1u);
  EXPECT_EQ(json_string(by_model["data"][0], "group").value_or(""), "test-model");
  EXPECT_GT(json_int(by_model["data"][0], "input_tokens").value_or(0), 0);
  EXPECT_EQ(json_string(by_model, "object").value_or(""), "list");

  const JsonDocument by_ws = parsed(alpha_admin.get("/v1/usage?group_by=workspace"));
  ASSERT_EQ(by_ws["data"].Size(), 1u);
  EXPECT_EQ(json_string(by_ws["data"][0], "group").value_or(""), a.workspace_id);
  const JsonDocument by_key = parsed(alpha_admin.get("/v1/usage?group_by=key"));
  EXPECT_EQ(json_string(by_key["data"][0], "group").value_or(""), a.client_key_id);
  EXPECT_EQ(requests_of(alpha.get("/v1/usage?group_by=day")), 3);

  // Another tenant sees nothing of alpha's usage.
  EXPECT_EQ(requests_of(beta.get("/v1/usage")), 0);
  EXPECT_EQ(requests_of(beta_admin.get("/v1/usage?group_by=workspace")), 0);
  // A range that excludes today is empty.
  EXPECT_EQ(requests_of(alpha.get("/v1/usage?from=2000-01-01&to=2000-01-31")), 0);

  EXPECT_EQ(alpha.get("/v1/usage?group_by=color").status, 400);
  EXPECT_EQ(error_code(alpha.get("/v1/usage?from=2026-02-30")), "invalid_argument");
  EXPECT_EQ(alpha.get("/v1/usage?from=2020-01-01&to=2026-01-01").status, 400);
}

TEST_F(ReadApisTest, QuotaRefusesNewJobsOfTheOrganizationOnly) {
  EXPECT_EQ(alpha.post("/v1/admin/quota", R"({"monthly_token_limit": 1})").status, 403);
  const auto set = alpha_admin.post("/v1/admin/quota", R"({"monthly_token_limit": 1})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(alpha_admin.post("/v1/admin/quota", R"({"monthly_token_limit": -1})").status, 400);
  EXPECT_EQ(alpha_admin.post("/v1/admin/quota", R"({"tokens": 1})").status, 400);

  const auto refused = alpha.post("/v1/jobs", jobs_of(1));
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(error_code(refused), "quota_exceeded");
  EXPECT_EQ(beta.post("/v1/jobs", jobs_of(1)).status, 202);  // another org is not limited

  const JsonDocument quota = parsed(alpha_admin.get("/v1/admin/quota"));
  EXPECT_EQ(json_int(quota, "monthly_token_limit").value_or(0), 1);
  EXPECT_GT(json_int(quota["month_to_date"], "input_tokens").value_or(0), 0);

  ASSERT_EQ(alpha_admin.post("/v1/admin/quota", R"({"monthly_token_limit": null})").status, 200);
  EXPECT_EQ(alpha.post("/v1/jobs", jobs_of(1)).status, 202);

  // The history names who changed the limit, old and new values, newest first.
  const JsonDocument history = parsed(alpha_admin.get("/v1/admin/quota/history"));
  ASSERT_EQ(history["data"].Size(), 2u);
  EXPECT_EQ(json_string(history["data"][0], "changed_by").value_or(""), a.admin_key_id);
  EXPECT_EQ(json_int(history["data"][0]["old"], "monthly_token_limit").value_or(0), 1);
  EXPECT_TRUE(history["data"][0]["new"]["monthly_token_limit"].IsNull());
  EXPECT_EQ(parsed(beta_admin.get("/v1/admin/quota/history"))["data"].Size(), 0u);
}

TEST_F(ReadApisTest, AuditListsExportsAndCountsTheOrganizationsCommands) {
  ASSERT_TRUE(test::wait_until([&] {
    const JsonDocument d = parsed(alpha_admin.get("/v1/admin/audit?action=jobs.create"));
    return d.IsObject() && d.HasMember("data") && d["data"].Size() == 1;
  }));
  const JsonDocument list = parsed(alpha_admin.get("/v1/admin/audit?action=jobs.create"));
  const auto& record = list["data"][0];
  EXPECT_EQ(json_string(record, "org_id").value_or(""), a.org_id);
  EXPECT_EQ(json_string(record, "actor_key_id").value_or(""), a.client_key_id);
  EXPECT_EQ(json_string(record, "outcome").value_or(""), "succeeded");
  EXPECT_TRUE(record.HasMember("request_id") && record.HasMember("target_type"));
  EXPECT_EQ(alpha.get("/v1/admin/audit").status, 403);  // client keys read no audit

  // A rejected command is audited too; paging walks every record once.
  EXPECT_EQ(alpha_admin.post("/v1/admin/quota", R"({"x": 1})").status, 400);
  ASSERT_TRUE(test::wait_until([&] {
    return parsed(alpha_admin.get("/v1/admin/audit?outcome=rejected"))["data"].Size() == 1;
  }));
  std::set<std::string> seen;
  std::string after;
  for (int page = 0; page < 20; ++page) {
    const JsonDocument d = parsed(
        alpha_admin.get("/v1/admin/audit?limit=1" + (after.empty() ? "" : "&after=" + after)));
    for (const auto& r : d["data"].GetArray())
      seen.insert(std::string(json_string(r, "id").value_or("")));
    if (!d["has_more"].GetBool()) break;
    after = std::string(json_string(d, "last_id").value_or(""));
  }
  EXPECT_GE(seen.size(), 2u);

  // (The tenant's own creation is audited too.)
  const JsonDocument stats = parsed(alpha_admin.get("/v1/admin/audit/stats"));
  const auto total = json_int(stats, "total").value_or(0);
  EXPECT_EQ(total, static_cast<std::int64_t>(seen.size()));
  EXPECT_EQ(json_int(stats, "rejected").value_or(0), 1);
  const JsonDocument quota_stats =
      parsed(alpha_admin.get("/v1/admin/audit/stats?action=quota.update"));
  EXPECT_EQ(json_int(quota_stats, "total").value_or(0), 1);

  const auto csv = alpha_admin.get("/v1/admin/audit/export?format=csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("id,time,org_id,", 0), 0u);
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), total + 1);
  const JsonDocument exported = parsed(alpha_admin.get("/v1/admin/audit/export?format=json"));
  ASSERT_TRUE(exported.IsArray());
  EXPECT_EQ(static_cast<std::int64_t>(exported.Size()), total);
  for (const auto& r : exported.GetArray())
    EXPECT_EQ(json_string(r, "org_id").value_or(""), a.org_id);
  EXPECT_EQ(alpha_admin.get("/v1/admin/audit/export?format=xml").status, 400);

  // Beta's admin sees none of alpha's records.
  const JsonDocument other = parsed(beta_admin.get("/v1/admin/audit?action=jobs.create"));
  EXPECT_EQ(other["data"].Size(), 0u);
  EXPECT_EQ(json_int(parsed(beta_admin.get("/v1/admin/audit/stats?action=jobs.create")), "total")
                .value_or(-1),
            0);
  const JsonDocument recent = parsed(beta_admin.get("/v1/admin/audit?limit=100"));
  for (const auto& r : recent["data"].GetArray())
    EXPECT_EQ(json_string(r, "org_id").value_or(""), b.org_id);
}

}  // namespace
}  // namespace bl
