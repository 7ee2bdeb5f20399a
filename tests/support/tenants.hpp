#pragma once
// Tenancy for tests: tenants made directly in a test's database (fast, exact), and the
// batchline binary run as a command-line tool (for the CLI's own tests).

#include <optional>
#include <string>
#include <vector>

#include "tests/support/pipeline.hpp"
#include "tests/support/test_env.hpp"

namespace bl::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `batchline args...` with the role environment `env` and waits for it.
CommandResult run_batchline(const RoleEnv& env, const std::vector<std::string>& args);

// An organization with one workspace, a client key of that workspace and an admin key of the
// organization, made in the database of `env` (BL_DATABASE_URL, BL_KEY_PEPPER, BL_DATA_KEYS).
struct TestTenant {
  std::string org_id;
  std::string workspace_id;
  std::string client_key;
  std::string client_key_id;
  std::string admin_key;
  std::string admin_key_id;
};
TestTenant make_tenant(const RoleEnv& env, const std::string& name,
                       std::optional<int> client_rate_limit_rpm = std::nullopt);

// "Authorization: Bearer <key>"
std::string bearer(const std::string& key);

// Requests to one ingest node with one key.
struct ApiClient {
  int port = 0;
  std::string key;

  std::string url(const std::string& path) const;
  HttpResult get(const std::string& path) const;
  HttpResult post(const std::string& path, const std::string& body,
                  std::vector<std::string> headers = {}) const;
};

}  // namespace bl::test

namespace bl::test {

// A pipeline with one tenant and a client of its workspace. Starts an ingest process when the
// options start no roles.
struct TenantPipeline {
  explicit TenantPipeline(PipelineOptions options);

  // The roles answer and ingest knows the tenant's key.
  bool ready();
  // Events matching an SQL condition.
  int count_events(const std::string& where);

  Pipeline p;
  TestTenant tenant;
  ApiClient client;
};

}  // namespace bl::test
