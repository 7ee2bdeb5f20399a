#pragma once
// Test support: every test gets its own PostgreSQL database and its own Redis key prefix on
// the local services (scripts/services), and tears them down afterwards. Nothing is faked
// but the LLM provider (the mock, started as a real process).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/pg.hpp"
#include "core/redis.hpp"

namespace bl::test {

// Admin URL of the local PostgreSQL (BL_TEST_PG_URL, default the scripts/services cluster).
std::string pg_admin_url();
// Redis host and port (BL_TEST_REDIS_URL).
std::string redis_host();
int redis_port();

// A fresh, migrated database, dropped on destruction.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  PgConnectionPtr connect() const;

 private:
  std::string name_;
  std::string url_;
};

// A unique Redis key prefix; its keys are deleted on destruction.
class TestRedis {
 public:
  TestRedis();
  ~TestRedis();
  const std::string& prefix() const { return prefix_; }
  std::unique_ptr<RedisClient> connect() const;

 private:
  std::string prefix_;
};

// A port that was free a moment ago.
int free_port();

// A random base64 data key "k1:...".
std::string data_keys_setting();

// Environment for a role process of this test (database, Redis prefix, keys, models).
struct RoleEnv {
  std::map<std::string, std::string> vars;
  void set(const std::string& k, const std::string& v) { vars[k] = v; }
};

// A config equal to what the roles of `env` load (for in-process use of library code).
Config config_from(const RoleEnv& env);

// Writes a JSON config file with one model "test-model" served by the mock at mock_port, and
// the extra model entries given (a JSON fragment: {...}, {...}).
std::string write_models_config(int mock_port, const std::string& extra_json = "",
                                const std::string& extra_models_json = "");

// A child process running the batchline binary; SIGTERM then SIGKILL on destruction.
class Process {
 public:
  Process(std::vector<std::string> args, const RoleEnv& env, std::string log_path);
  // Any program (looked up in PATH when it has no slash), e.g. a receiver script.
  Process(std::string program, std::vector<std::string> args, const RoleEnv& env,
          std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  int pid() const { return pid_; }
  bool running();
  // Sends sig and waits for exit up to timeout; returns the exit status (or -1).
  int stop(int sig = 15, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void kill_now();  // SIGKILL
  // The signal that ended the process; 0 while it runs or when it exited by itself.
  int term_signal();
  const std::string& log_path() const { return log_path_; }

 private:
  int pid_ = -1;
  int status_ = -1;
  bool exited_ = false;
  std::string log_path_;
};

// Output of a shell command (stdout only).
std::string run_command(const std::string& command);
std::string read_file(const std::string& path);

// Path of the batchline binary under test.
std::string binary_path();
// A directory for this test's files (logs, configs), under the build tree.
std::string scratch_dir();

// Polls `ready` until it returns true or the deadline passes. No fixed sleeps in tests.
bool wait_until(const std::function<bool()>& ready,
                std::chrono::milliseconds deadline = std::chrono::seconds(30),
                std::chrono::milliseconds interval = std::chrono::milliseconds(20));

struct HttpResult {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// Blocking HTTP request (test-side client, libcurl easy). For https:// URLs, ca_file is the
// certificate to trust. Status 0 when the request failed below HTTP.
HttpResult http(const std::string& method, const std::string& url, const std::string& body = "",
                const std::vector<std::string>& headers = {}, const std::string& ca_file = "");
// A POST whose body is sent with Transfer-Encoding: chunked and no Content-Length.
HttpResult http_chunked_post(const std::string& url, const std::string& body,
                             const std::vector<std::string>& headers = {});

}  // namespace bl::test
