#include "tests/support/pipeline.hpp"

#include "core/crypto.hpp"

namespace bl::test {

Pipeline::Pipeline(PipelineOptions options) {
  ingest_port = free_port();
  mock_port = free_port();
  std::string models = options.extra_models_json;
  for (std::size_t at; (at = models.find("{MOCK_PORT}")) != std::string::npos;)
    models.replace(at, 11, std::to_string(mock_port));
  const std::string config = write_models_config(mock_port, options.extra_config_json, models);
  env.set("BL_CONFIG", config);
  env.set("BL_DATABASE_URL", db.url());
  env.set("BL_REDIS_URL", "redis://" + redis_host() + ":" + std::to_string(redis_port()));
  env.set("BL_REDIS_PREFIX", redis.prefix());
  env.set("BL_DATA_KEYS", data_keys_setting());
  env.set("BL_DEV_API_KEY", api_key);
  env.set("BL_DEV_OTHER_API_KEY", other_api_key);
  env.set("BL_BATCH_MANAGER_POLL_MS", "50");
  env.set("BL_KEY_PEPPER", "pepper-" + hex_encode(random_bytes(16)));
  env.set("BL_LISTEN", "127.0.0.1:" + std::to_string(ingest_port));
  env.set("BL_LOG_LEVEL", "debug");
  env.set("BL_RELAY_POLL_MS", "50");
  env.set("BL_PROJECTOR_POLL_MS", "50");
  env.set("BL_WORKER_BACKOFF_BASE_MS", "50");
  env.set("BL_WORKER_BACKOFF_MAX_MS", "500");
  std::vector<std::string> mock_args{"mock-llm", "--port", std::to_string(mock_port),
                                     "--latency-ms", std::to_string(options.mock_latency_ms)};
  mock_args.insert(mock_args.end(), options.mock_args.begin(), options.mock_args.end());
  mock = std::make_unique<Process>(mock_args, env, scratch_dir() + "/mock.log");
  if (!options.start_roles) return;
  start_role("ingest");
  for (int i = 0; i < options.relays; ++i)
    start_role("relay");
  for (int i = 0; i < options.workers; ++i)
    start_role("work");
  for (int i = 0; i < options.projectors; ++i)
    start_role("project");
}

Pipeline::~Pipeline() {
  // Roles first (they drain), then the mock.
  for (auto it = processes.rbegin(); it != processes.rend(); ++it)
    (*it)->stop();
  processes.clear();
  mock.reset();
}

Process& Pipeline::start_role(const std::string& role, const RoleEnv& extra) {
  RoleEnv role_env = env;
  if (role == "work") role_env.set("BL_WORKER_NAME", "worker-" + std::to_string(next_log_));
  for (const auto& [k, v] : extra.vars)
    role_env.set(k, v);
  const std::string log = scratch_dir() + "/" + role + "-" + std::to_string(next_log_++) + ".log";
  processes.push_back(std::make_unique<Process>(std::vector<std::string>{role}, role_env, log));
  return *processes.back();
}

bool Pipeline::ready() {
  return wait_until([&] {
    return http("GET", url("/healthz")).status == 200 &&
           http("GET", "http://127.0.0.1:" + std::to_string(mock_port) + "/healthz").status == 200;
  });
}

std::string Pipeline::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(ingest_port) + path;
}

HttpResult Pipeline::get(const std::string& path) const {
  return http("GET", url(path), "", {auth_header()});
}

HttpResult Pipeline::post(const std::string& path, const std::string& body) const {
  return http("POST", url(path), body, {auth_header(), "Content-Type: application/json"});
}

HttpResult Pipeline::get_as_other(const std::string& path) const {
  return http("GET", url(path), "", {"Authorization: Bearer " + other_api_key});
}

HttpResult Pipeline::post_as_other(const std::string& path, const std::string& body) const {
  return http("POST", url(path), body,
              {"Authorization: Bearer " + other_api_key, "Content-Type: application/json"});
}

}  // namespace bl::test
