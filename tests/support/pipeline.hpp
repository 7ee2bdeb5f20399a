#pragma once
// A whole Batchline installation for one test: its own database and Redis prefix, the mock
// LLM and each role as a separate process of the real binary.

#include <memory>
#include <string>
#include <vector>

#include "tests/support/test_env.hpp"

namespace bl::test {

struct PipelineOptions {
  int mock_latency_ms = 0;
  int relays = 1;
  int workers = 1;
  int projectors = 1;
  bool start_roles = true;        // false: only the mock, the database and the environment
  std::string extra_config_json;  // extra top-level settings for the config file
  std::string extra_models_json;  // extra entries of the model registry; {MOCK_PORT} is replaced
  std::vector<std::string> mock_args;  // extra flags of `batchline mock-llm`
};

class Pipeline {
 public:
  explicit Pipeline(PipelineOptions options = {});
  ~Pipeline();

  // Starts one more process of a role ("ingest", "relay", "work", "project"); `extra` adds
  // or overrides environment variables for this process only.
  Process& start_role(const std::string& role, const RoleEnv& extra = {});
  bool ready();  // ingest and mock answer /healthz

  std::string url(const std::string& path) const;
  HttpResult get(const std::string& path) const;
  HttpResult post(const std::string& path, const std::string& body) const;
  std::string auth_header() const { return "Authorization: Bearer " + api_key; }
  // Requests as the client of a second org and workspace (tenant-isolation tests).
  HttpResult get_as_other(const std::string& path) const;
  HttpResult post_as_other(const std::string& path, const std::string& body) const;

  TestDatabase db;
  TestRedis redis;
  RoleEnv env;
  std::string api_key = "test-dev-key";
  std::string other_api_key = "test-other-tenant-key";
  int ingest_port = 0;
  int mock_port = 0;
  std::unique_ptr<Process> mock;
  std::vector<std::unique_ptr<Process>> processes;

 private:
  int next_log_ = 0;
};

}  // namespace bl::test
