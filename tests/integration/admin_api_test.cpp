// Tenancy over HTTP: an operator key makes an organization and its admin key; the admin
// makes workspaces and keys, lists and revokes them. Keys appear in an answer once.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

JsonDocument body_of(const test::HttpResult& r) {
  auto doc = parse_json(r.body);
  EXPECT_TRUE(doc.ok()) << r.body;
  return doc.ok() ? std::move(*doc) : JsonDocument();
}

std::string field(const test::HttpResult& r, const char* name) {
  auto doc = body_of(r);
  return std::string(json_string(doc, name).value_or(""));
}

TEST(AdminApi, OperatorAndAdminManageTenantsAndKeys) {
  test::PipelineOptions o;
  o.relays = 0;
  o.workers = 0;
  o.projectors = 0;
  test::Pipeline p(o);
  auto op = test::run_batchline(p.env, {"keys", "create", "--operator", "--json"});
  ASSERT_EQ(op.exit_code, 0) << op.err;
  test::ApiClient operator_client{p.ingest_port,
                                  std::string(*json_string(*parse_json(op.out), "key"))};
  ASSERT_TRUE(
      test::wait_until([&] { return operator_client.get("/v1/organizations").status == 200; }));

  auto org = operator_client.post("/v1/organizations", R"({"name": "Globex"})");
  ASSERT_EQ(org.status, 201) << org.body;
  const std::string org_id = field(org, "id");
  EXPECT_EQ(field(org, "name"), "Globex");
  auto admin = operator_client.post("/v1/organization/keys",
                                    R"({"scope": "admin", "organization_id": ")" + org_id + "\"}");
  ASSERT_EQ(admin.status, 201) << admin.body;
  const std::string admin_secret = field(admin, "key");
  test::ApiClient admin_client{p.ingest_port, admin_secret};
  ASSERT_TRUE(test::wait_until(
      [&] { return admin_client.get("/v1/organization/workspaces").status == 200; }));

  auto ws = admin_client.post("/v1/organization/workspaces", R"({"name": "research"})");
  ASSERT_EQ(ws.status, 201) << ws.body;
  const std::string ws_id = field(ws, "id");
  EXPECT_EQ(field(ws, "organization_id"), org_id);
  const long expires = static_cast<long>(std::time(nullptr)) + 3600;
  auto key = admin_client.post("/v1/organization/keys",
                               R"({"workspace_id": ")" + ws_id + R"(", "name": "batch runner",)" +
                                   R"( "rate_limit_rpm": 600, "expires_at": )" +
                                   std::to_string(expires) + "}");
  ASSERT_EQ(key.status, 201) << key.body;
  const std::string key_id = field(key, "id");
  const std::string secret = field(key, "key");
  EXPECT_EQ(field(key, "scope"), "client");
  EXPECT_EQ(json_int(body_of(key), "expires_at"), expires);
  test::ApiClient client{p.ingest_port, secret};
  ASSERT_TRUE(test::wait_until([&] { return client.get("/v1/jobs").status == 200; }));

  // Reads never show a key again.
  auto listed = admin_client.get("/v1/organization/keys");
  EXPECT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find(key_id), std::string::npos);
  EXPECT_EQ(listed.body.find(secret), std::string::npos);
  EXPECT_EQ(listed.body.find("\"key\""), std::string::npos);
  auto one = admin_client.get("/v1/organization/keys/" + key_id);
  EXPECT_EQ(field(one, "name"), "batch runner");
  EXPECT_EQ(one.body.find(secret), std::string::npos);
  auto by_ws = admin_client.get("/v1/organization/keys?workspace_id=" + ws_id);
  EXPECT_EQ(body_of(by_ws)["data"].Size(), 1u);

  // Revocation over HTTP.
  auto revoked = admin_client.post("/v1/organization/keys/" + key_id + "/revoke", "");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_TRUE(body_of(revoked)["revoked_at"].IsInt64());
  EXPECT_TRUE(test::wait_until([&] { return client.get("/v1/jobs").status == 401; }));
  EXPECT_EQ(admin_client.post("/v1/organization/keys/" + key_id + "/revoke", "").status, 200);
  EXPECT_EQ(body_of(admin_client.get("/v1/organization/keys"))["data"].Size(), 1u);  // the admin
  EXPECT_EQ(body_of(admin_client.get("/v1/organization/keys?include_revoked=true"))["data"].Size(),
            2u);

  // Refusals.
  for (const std::string& bad :
       {std::string(R"({"scope": "operator"})"),
        std::string(R"({"workspace_id": ")") + ws_id + R"(", "colour": 1})",
        std::string(R"({"workspace_id": ")") + ws_id + R"(", "expires_at": 1000})",
        std::string(R"({"scope": "client"})"),
        std::string(R"({"workspace_id": ")") + ws_id + R"(", "rate_limit_rpm": 0})",
        std::string("[1]")}) {
    auto r = admin_client.post("/v1/organization/keys", bad);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
  }
  EXPECT_EQ(admin_client.post("/v1/organization/workspaces", "{\"name\": \"\"}").status, 400);
  EXPECT_EQ(
      admin_client
          .post("/v1/organization/workspaces", "{\"name\": \"" + std::string(300, 'n') + "\"}")
          .status,
      400);
  EXPECT_EQ(operator_client.post("/v1/organization/workspaces", R"({"name": "x"})").status, 400);
  EXPECT_EQ(admin_client.post("/v1/organizations", R"({"name": "x"})").status, 403);
  EXPECT_EQ(admin_client.get("/v1/organization/keys/key_0190aaaabbbbccccdddd111122223333").status,
            404);

  // Every command was audited, refusals included; no key in any log line. Refusals are
  // recorded off the request path, so their records may land just after the answer.
  auto c = p.db.connect();
  auto count = [&](const std::string& where) {
    pqxx::work tx(*c);
    return tx
        .exec1("SELECT count(*) FROM events WHERE event_type = 'CommandAudited' AND " + where)[0]
        .as<int>();
  };
  EXPECT_TRUE(test::wait_until([&] { return count("data->>'action' = 'keys.revoke'") == 2; }));
  EXPECT_TRUE(test::wait_until([&] { return count("data->>'outcome' = 'rejected'") >= 9; }));
  // A key of the wrong kind trying a command is on record too, with who tried.
  const std::string wrong_kind =
      "data->>'action' = 'organizations.create' AND"
      " (data->>'status')::int = 403 AND metadata->>'key_id' = '" +
      field(admin, "id") + "'";
  EXPECT_TRUE(test::wait_until([&] { return count(wrong_kind) == 1; }));
  for (const auto& proc : p.processes) {
    const std::string log = test::read_file(proc->log_path());
    EXPECT_EQ(log.find(secret), std::string::npos) << proc->log_path();
    EXPECT_EQ(log.find(admin_secret), std::string::npos) << proc->log_path();
    EXPECT_EQ(log.find("batch runner"), std::string::npos) << proc->log_path();
  }
}

}  // namespace
}  // namespace bl
