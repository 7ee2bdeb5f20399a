// The tenancy CLI: batchline orgs, workspaces and keys, against a real database.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

struct CliEnv {
  test::TestDatabase db;
  test::RoleEnv env;
  CliEnv() {
    env.set("BL_DATABASE_URL", db.url());
    env.set("BL_DATA_KEYS", test::data_keys_setting());
    env.set("BL_KEY_PEPPER", "cli-test-pepper-0123456789");
    env.set("BL_LOG_LEVEL", "warn");
  }
  test::CommandResult run(const std::vector<std::string>& args) const {
    return test::run_batchline(env, args);
  }
  // Runs a --json command that must succeed and parses its single object.
  JsonDocument json(std::vector<std::string> args) const {
    args.push_back("--json");
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto doc = parse_json(r.out);
    EXPECT_TRUE(doc.ok()) << r.out;
    return doc.ok() ? std::move(*doc) : JsonDocument();
  }
};

std::string str(const JsonValue& v, const char* name) {
  return std::string(json_string(v, name).value_or(""));
}

TEST(TenantCli, CreatesOrganizationsWorkspacesAndKeys) {
  CliEnv cli;
  const auto org = cli.json({"orgs", "create", "--name", "Acme Research"});
  const std::string org_id = str(org, "id");
  EXPECT_EQ(org_id.rfind("org_", 0), 0u);
  EXPECT_EQ(str(org, "name"), "Acme Research");

  const auto ws = cli.json({"workspaces", "create", "--org", org_id, "--name", "eval"});
  const std::string ws_id = str(ws, "id");
  EXPECT_EQ(ws_id.rfind("ws_", 0), 0u);
  EXPECT_EQ(str(ws, "organization_id"), org_id);

  const auto client = cli.json({"keys", "create", "--workspace", ws_id, "--name", "ci",
                                "--expires-in", "30d", "--rate-limit-rpm", "120"});
  const std::string secret = str(client, "key");
  EXPECT_EQ(secret.rfind("bl_", 0), 0u);
  EXPECT_EQ(str(client, "scope"), "client");
  EXPECT_EQ(str(client, "workspace_id"), ws_id);
  EXPECT_EQ(json_int(client, "rate_limit_rpm"), 120);
  EXPECT_GT(json_int(client, "expires_at").value_or(0), json_int(client, "created_at").value_or(0));

  const auto admin = cli.json({"keys", "create", "--org", org_id, "--admin"});
  EXPECT_EQ(str(admin, "scope"), "admin");
  EXPECT_TRUE(admin["workspace_id"].IsNull());
  const auto op = cli.json({"keys", "create", "--operator", "--name", "ops"});
  EXPECT_EQ(str(op, "scope"), "operator");
  EXPECT_TRUE(op["organization_id"].IsNull());

  // Listing shows every key of the organization and never a secret.
  auto listed = cli.run({"keys", "list", "--org", org_id});
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.out.find(str(client, "id")), std::string::npos);
  EXPECT_NE(listed.out.find(str(admin, "id")), std::string::npos);
  EXPECT_EQ(listed.out.find(str(op, "id")), std::string::npos);  // another organization's
  EXPECT_EQ(listed.out.find(secret), std::string::npos);
  auto all = cli.run({"keys", "list", "--json"});
  EXPECT_EQ(all.out.find("\"key\""), std::string::npos);
  EXPECT_EQ(all.out.find(secret), std::string::npos);

  // The database holds the hash only, and names sealed.
  auto c = cli.db.connect();
  pqxx::work tx(*c);
  const auto dump = test::run_command("pg_dump '" + cli.db.url() + "'");
  ASSERT_NE(dump.find("api_keys"), std::string::npos);
  EXPECT_EQ(dump.find(secret), std::string::npos);
  EXPECT_EQ(dump.find(secret.substr(3)), std::string::npos);
  EXPECT_EQ(dump.find("Acme Research"), std::string::npos);
  // Every change was audited.
  EXPECT_EQ(
      tx.exec1("SELECT count(*) FROM events WHERE event_type = 'CommandAudited'")[0].as<int>(), 5);
}

TEST(TenantCli, RevokesAKeyAndRefusesBadRequests) {
  CliEnv cli;
  const std::string org = str(cli.json({"orgs", "create", "--name", "o"}), "id");
  const std::string ws = str(cli.json({"workspaces", "create", "--org", org, "--name", "w"}), "id");
  const std::string key = str(cli.json({"keys", "create", "--workspace", ws}), "id");

  const auto revoked = cli.json({"keys", "revoke", key});
  EXPECT_TRUE(revoked["revoked_at"].IsInt64());
  // Revoked keys are listed only with --all.
  EXPECT_EQ(cli.run({"keys", "list", "--workspace", ws}).out.find(key), std::string::npos);
  EXPECT_NE(cli.run({"keys", "list", "--workspace", ws, "--all"}).out.find(key), std::string::npos);

  EXPECT_EQ(cli.run({"keys", "revoke", "key_00000000000000000000000000000000"}).exit_code, 1);
  EXPECT_EQ(cli.run({"workspaces", "create", "--org", "org_missing", "--name", "w"}).exit_code, 1);
  EXPECT_EQ(cli.run({"keys", "create", "--workspace", "ws_missing"}).exit_code, 1);
  EXPECT_EQ(cli.run({"keys", "create"}).exit_code, 2);
  EXPECT_EQ(cli.run({"keys", "create", "--workspace", ws, "--expires-in", "-3d"}).exit_code, 2);
  EXPECT_EQ(cli.run({"orgs", "create"}).exit_code, 2);

  // Without a pepper no key can be made (its hash would be guessable offline).
  test::RoleEnv no_pepper = cli.env;
  no_pepper.set("BL_KEY_PEPPER", "");
  auto refused = test::run_batchline(no_pepper, {"keys", "create", "--workspace", ws});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("BL_KEY_PEPPER"), std::string::npos);
}

}  // namespace
}  // namespace bl
