#pragma once
// Configuration: every setting has one name in a JSON file (BL_CONFIG=path) and one
// environment variable (which wins). The table of settings lives in config.cpp and is the
// reference in docs/operations.md. A bad value fails start-up with the setting's name.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/result.hpp"

namespace bl {

// One entry of the model registry: what clients call "model", and how to reach it.
struct ModelConfig {
  std::string id;
  std::string provider = "openai";  // openai | azure | anthropic | gemini
  std::string base_url;
  std::string upstream_model;   // name sent to the provider (defaults to id)
  std::string api_key_env;      // defaults to {MODEL}_KEY, upper-cased, non-alnum -> '_'
  std::string api_version;      // Azure api-version / anthropic-version
  int max_concurrency = 1024;   // in-flight calls per worker process
  int requests_per_minute = 0;  // fleet-wide, 0 = unlimited
  int tokens_per_minute = 0;    // fleet-wide, 0 = unlimited
  std::int64_t input_nano_usd_per_mtok = 0;
  std::int64_t output_nano_usd_per_mtok = 0;
  int context_window = 0;  // tokens, 0 = unknown
  int max_output_tokens = 4096;
  bool stream = false;  // call with server-sent events (records TTFT and inter-token latency)

  // The key, read from the environment at start; never logged.
  std::string api_key;
};

struct Config {
  // Connections.
  std::string database_url = "postgresql://postgres@127.0.0.1:55432/batchline";
  std::string redis_host = "127.0.0.1";
  int redis_port = 56379;
  std::string redis_prefix = "bl";

  // Ingest.
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  int http_threads = 1;
  int db_pool_size = 4;
  std::size_t max_body_bytes = 8 << 20;
  std::size_t max_header_bytes = 16 << 10;
  int max_jobs_per_request = 1000;
  std::size_t max_job_bytes = 1 << 20;
  std::string dev_api_key;
  std::string dev_admin_api_key;
  std::string dev_other_api_key;  // a client of a second org and workspace (isolation tests)

  // Files and batches (OpenAI- and Anthropic-compatible).
  std::size_t max_upload_bytes = 200u << 20;      // file content in POST /v1/files
  std::size_t max_batch_body_bytes = 256u << 20;  // POST /v1/messages/batches
  int max_batch_requests = 50000;                 // lines or requests in one batch
  int batch_completion_window_s = 86400;          // what "24h" means (tests shorten it)
  int batch_create_dedupe_s = 600;                // identical creates answered with one batch
  int batch_manager_poll_ms = 1000;               // batch manager scan interval
  int optimization_manager_poll_ms = 1000;        // optimization manager scan interval
  std::string public_base_url;                    // for Anthropic's results_url
  int max_connections = 10000;                    // per ingest process
  int http_timeout_s = 30;                        // read/write timeout of one connection
  int max_json_depth = 64;
  std::string tls_cert_file;  // both set: ingest speaks TLS only
  std::string tls_key_file;
  int rate_limit_rpm = 6000;  // per API key, unless the key has its own
  int rate_limit_burst = 200;
  int redis_timeout_ms = 250;  // ingest's Redis calls (rate limits, cancellations, readiness)
  // API key caches reload changes this often; a cache that could not reload for longer than
  // auth_max_staleness_ms refuses database keys (503) rather than trust revoked ones.
  int auth_refresh_ms = 200;
  int auth_max_staleness_ms = 1000;

  // Keys and content encryption.
  std::string key_pepper;
  DataKeyring keyring;

  // Relay.
  int relay_batch_size = 500;
  int relay_poll_ms = 200;

  // Sweeper: re-dispatches queued jobs whose Redis delivery is gone (one active per
  // installation, elected among relay processes).
  int sweeper_interval_ms = 10000;
  int sweeper_timeout_ms = 60000;

  // Webhooks: sent by the relay role, signed per Standard Webhooks.
  int webhook_timeout_ms = 10000;
  int webhook_max_in_flight = 256;
  int webhook_max_in_flight_per_endpoint = 16;  // one slow endpoint cannot take every slot
  int webhook_retry_base_ms = 5000;
  int webhook_retry_max_ms = 3600000;
  int webhook_retry_window_s = 86400;
  bool webhook_allow_http = false;               // https only unless set
  bool webhook_allow_private_addresses = false;  // loopback, private and link-local refused

  // Worker.
  std::string worker_name;  // stable consumer name; defaults to hostname:pid
  int worker_max_inflight = 2048;
  int worker_max_attempts = 5;
  int worker_connect_timeout_ms = 5000;
  int worker_request_timeout_ms = 120000;
  int worker_backoff_base_ms = 1000;
  int worker_backoff_max_ms = 60000;
  int worker_low_speed_seconds = 60;         // abort a call that sends under 1 byte/s for this long
  std::string worker_models;                 // comma list of model ids this worker serves; "" = all
  int worker_visibility_timeout_ms = 60000;  // a delivery idle this long is reclaimed
  int worker_max_deliveries = 5;             // a delivery claimed more often is poison
  int worker_shutdown_grace_ms = 15000;      // SIGTERM: in-flight calls may finish this long
  int worker_rate_burst_seconds = 1;         // seconds of a model's rate a bucket may burst
  int worker_registry_refresh_ms = 5000;     // fleet registry heartbeat

  // Projector.
  int projector_page_size = 2000;
  int projector_poll_ms = 200;
  int projector_rebuild_page_size = 10000;

  // Operations: /healthz and /metrics of relay, work and project (empty: off). Ingest serves
  // them on its API port.
  std::string admin_host;
  int admin_port = 0;

  // Logging.
  log::Level log_level = log::Level::kInfo;
  std::string log_file;

  std::vector<ModelConfig> models;

  const ModelConfig* find_model(std::string_view id) const;
  // The models of worker_models (the worker group), in order; empty when it serves all.
  std::vector<std::string> worker_model_ids() const;
};

// Reads BL_CONFIG (optional JSON file) then the environment.
Result<Config> load_config();
// Same, from explicit sources (tests).
Result<Config> load_config_from(const std::string& json_text,
                                const std::vector<std::pair<std::string, std::string>>& env);

// Setting names, environment variables and help, for `batchline config --help` and docs.
struct SettingInfo {
  const char* key;
  const char* env;
  const char* help;
};
std::vector<SettingInfo> describe_settings();

}  // namespace bl
