#include "tests/support/test_env.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "core/crypto.hpp"
#include "core/migrations.hpp"

namespace bl::test {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::string test_slug() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string s = info != nullptr ? std::string(info->test_suite_name()) + "_" + info->name()
                                  : std::string("adhoc");
  std::string out;
  for (char c : s) {
    out.push_back(std::isalnum(static_cast<unsigned char>(c))
                      ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                      : '_');
  }
  if (out.size() > 40) out.resize(40);
  return out;
}

std::string with_database(const std::string& url, const std::string& db) {
  auto slash = url.rfind('/');
  return url.substr(0, slash + 1) + db;
}

}  // namespace

std::string pg_admin_url() {
  return env_or("BL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:55432/postgres");
}

std::string redis_host() {
  const std::string url = env_or("BL_TEST_REDIS_URL", "redis://127.0.0.1:56379");
  const auto rest = url.substr(8);
  return rest.substr(0, rest.rfind(':'));
}

int redis_port() {
  const std::string url = env_or("BL_TEST_REDIS_URL", "redis://127.0.0.1:56379");
  return std::stoi(url.substr(url.rfind(':') + 1));
}

TestDatabase::TestDatabase() {
  name_ = "t_" + test_slug() + "_" + hex_encode(random_bytes(4));
  url_ = with_database(pg_admin_url(), name_);
  pqxx::connection admin(pg_admin_url());
  pqxx::nontransaction tx(admin);
  tx.exec("CREATE DATABASE " + name_);
  auto applied = migrate(url_);
  if (!applied.ok()) throw std::runtime_error("migration failed: " + applied.error().message);
}

TestDatabase::~TestDatabase() {
  if (std::getenv("BL_TEST_KEEP") != nullptr) return;
  try {
    pqxx::connection admin(pg_admin_url());
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // A leftover test database is harmless; scripts/test drops old ones.
  }
}

PgConnectionPtr TestDatabase::connect() const {
  auto c = pg_connect(url_);
  if (!c.ok()) throw std::runtime_error("cannot connect to the test database");
  return std::move(*c);
}

TestRedis::TestRedis() : prefix_("t" + hex_encode(random_bytes(5))) {}

TestRedis::~TestRedis() {
  if (std::getenv("BL_TEST_KEEP") != nullptr) return;
  auto c = connect();
  if (!c) return;
  std::string cursor = "0";
  do {
    auto r = c->command({"SCAN", cursor, "MATCH", prefix_ + ":*", "COUNT", "1000"});
    if (!r.ok() || r->elements.size() != 2) return;
    cursor = r->elements[0].str;
    for (const auto& k : r->elements[1].elements)
      (void)c->command({"DEL", k.str});
  } while (cursor != "0");
}

std::unique_ptr<RedisClient> TestRedis::connect() const {
  auto c = RedisClient::connect(redis_host(), redis_port());
  return c.ok() ? std::move(*c) : nullptr;
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  const int port = ntohs(sa.sin_port);
  close(fd);
  return port;
}

std::string data_keys_setting() {
  return "k1:" + base64_encode(random_bytes(32));
}

Config config_from(const RoleEnv& env) {
  std::vector<std::pair<std::string, std::string>> vars(env.vars.begin(), env.vars.end());
  std::string json;
  if (auto it = env.vars.find("BL_CONFIG"); it != env.vars.end()) {
    std::ifstream in(it->second);
    json.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto c = load_config_from(json, vars);
  if (!c.ok()) throw std::runtime_error("test config: " + c.error().message);
  return std::move(*c);
}

std::string write_models_config(int mock_port, const std::string& extra_json,
                                const std::string& extra_models_json) {
  const std::string path = scratch_dir() + "/config.json";
  std::ofstream out(path);
  out << "{" << extra_json << (extra_json.empty() ? "" : ",")
      << R"("models": [{"id": "test-model", "provider": "openai", "base_url": "http://127.0.0.1:)"
      << mock_port
      << R"(", "upstream_model": "mock", "input_usd_per_mtok": 1.0, "output_usd_per_mtok": 2.0})"
      << (extra_models_json.empty() ? "" : ",") << extra_models_json << "]}";
  return path;
}

std::string run_command(const std::string& command) {
  std::string out;
  FILE* f = popen(command.c_str(), "r");
  if (f == nullptr) return out;
  char buf[65536];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    out.append(buf, n);
  pclose(f);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string binary_path() {
  return BL_BINARY_PATH;
}

std::string scratch_dir() {
  const std::string dir = std::string(BL_TEST_SCRATCH) + "/" + test_slug();
  mkdir(BL_TEST_SCRATCH, 0755);
  mkdir(dir.c_str(), 0755);
  return dir;
}

Process::Process(std::vector<std::string> args, const RoleEnv& env, std::string log_path)
    : Process(binary_path(), std::move(args), env, std::move(log_path)) {}

Process::Process(std::string program, std::vector<std::string> args, const RoleEnv& env,
                 std::string log_path)
    : log_path_(std::move(log_path)) {
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    for (const auto& [k, v] : env.vars)
      setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    argv.push_back(program.data());
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(program.c_str(), argv.data());
    _exit(127);
  }
}

Process::~Process() {
  if (running()) stop(SIGTERM, std::chrono::seconds(20));
  if (running()) kill_now();
}

bool Process::running() {
  if (exited_ || pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    status_ = status;
    return false;
  }
  return true;
}

int Process::stop(int sig, std::chrono::milliseconds timeout) {
  if (!running()) return status_;
  ::kill(pid_, sig);
  wait_until([&] { return !running(); }, timeout, std::chrono::milliseconds(10));
  if (running()) return -1;
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
}

int Process::term_signal() {
  if (running() || !exited_) return 0;
  return WIFSIGNALED(status_) ? WTERMSIG(status_) : 0;
}

void Process::kill_now() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  exited_ = true;
  status_ = status;
}

bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds deadline,
                std::chrono::milliseconds interval) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (ready()) return true;
    std::this_thread::sleep_for(interval);
  }
  return ready();
}

namespace {

size_t collect_body(char* data, size_t size, size_t n, void* arg) {
  static_cast<std::string*>(arg)->append(data, size * n);
  return size * n;
}

size_t collect_header(char* data, size_t size, size_t n, void* arg) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' '))
      value.erase(value.begin());
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
      value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(arg))[name] = value;
  }
  return size * n;
}

}  // namespace

HttpResult http(const std::string& method, const std::string& url, const std::string& body,
                const std::vector<std::string>& headers, const std::string& ca_file) {
  HttpResult out;
  CURL* c = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers)
    list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  if (!ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file.c_str());
  if (!body.empty() || method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &collect_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &out.headers);
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(c);
  return out;
}

}  // namespace bl::test
