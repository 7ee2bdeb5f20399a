#include "config/config.hpp"

#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/json.hpp"

namespace bl {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;
using Setter = std::function<Status(Config&, std::string_view)>;

struct Setting {
  const char* key;
  const char* env;
  const char* help;
  Setter set;
};

Error bad(const char* key, const std::string& why) {
  return Error::invalid(std::string("setting ") + key + ": " + why);
}

Setter int_setting(int Config::*field, int min, int max) {
  return [=](Config& c, std::string_view v) -> Status {
    int x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size() || x < min || x > max) {
      return Error::invalid("expected an integer in [" + std::to_string(min) + ", " +
                            std::to_string(max) + "]");
    }
    c.*field = x;
    return {};
  };
}

Setter size_setting(std::size_t Config::*field, std::size_t min, std::size_t max) {
  return [=](Config& c, std::string_view v) -> Status {
    std::size_t x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size() || x < min || x > max) {
      return Error::invalid("expected a byte count in [" + std::to_string(min) + ", " +
                            std::to_string(max) + "]");
    }
    c.*field = x;
    return {};
  };
}

Setter bool_setting(bool Config::*field) {
  return [=](Config& c, std::string_view v) -> Status {
    if (v == "true" || v == "1") {
      c.*field = true;
    } else if (v == "false" || v == "0") {
      c.*field = false;
    } else {
      return Error::invalid("expected true or false");
    }
    return {};
  };
}

Setter string_setting(std::string Config::*field) {
  return [=](Config& c, std::string_view v) -> Status {
    c.*field = std::string(v);
    return {};
  };
}

Status set_redis_url(Config& c, std::string_view v) {
  constexpr std::string_view kScheme = "redis://";
  if (v.substr(0, kScheme.size()) != kScheme) return Error::invalid("expected redis://host:port");
  std::string_view rest = v.substr(kScheme.size());
  if (auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error::invalid("expected redis://host:port");
  }
  int port = 0;
  auto ps = rest.substr(colon + 1);
  auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
  if (ec != std::errc() || p != ps.data() + ps.size() || port <= 0 || port > 65535) {
    return Error::invalid("bad port in redis URL");
  }
  c.redis_host = std::string(rest.substr(0, colon));
  c.redis_port = port;
  return {};
}

Status parse_host_port(std::string_view v, std::string* host, int* port) {
  auto colon = v.rfind(':');
  if (colon == std::string_view::npos) return Error::invalid("expected host:port");
  int n = 0;
  auto ps = v.substr(colon + 1);
  auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), n);
  if (ec != std::errc() || p != ps.data() + ps.size() || n < 0 || n > 65535) {
    return Error::invalid("bad port");
  }
  *host = std::string(v.substr(0, colon));
  *port = n;
  return {};
}

Status set_listen(Config& c, std::string_view v) {
  return parse_host_port(v, &c.listen_host, &c.listen_port);
}

Status set_admin_listen(Config& c, std::string_view v) {
  if (v.empty()) {
    c.admin_host.clear();
    return {};
  }
  return parse_host_port(v, &c.admin_host, &c.admin_port);
}

Status set_log_level(Config& c, std::string_view v) {
  if (!log::parse_level(v, &c.log_level)) {
    return Error::invalid("expected trace, debug, info, warn or error");
  }
  return {};
}

// "k1:BASE64,k2:BASE64": every key stays readable; the active key seals new content.
Status set_data_keys(Config& c, std::string_view v) {
  DataKeyring ring;
  std::string last;
  std::size_t start = 0;
  while (start <= v.size()) {
    std::size_t end = v.find(',', start);
    if (end == std::string_view::npos) end = v.size();
    std::string_view item = v.substr(start, end - start);
    if (!item.empty()) {
      auto colon = item.find(':');
      if (colon == std::string_view::npos) return Error::invalid("expected id:base64 pairs");
      auto key = base64_decode(item.substr(colon + 1));
      if (!key.ok())
        return Error::invalid("key " + std::string(item.substr(0, colon)) + " is not base64");
      last = std::string(item.substr(0, colon));
      if (auto s = ring.add_key(last, std::move(*key)); !s.ok()) return s;
    }
    start = end + 1;
  }
  if (ring.empty()) return Error::invalid("no keys given");
  if (auto s = ring.set_active(last); !s.ok()) return s;
  c.keyring = std::move(ring);
  return {};
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"database_url", "BL_DATABASE_URL", "PostgreSQL connection URL",
       string_setting(&Config::database_url)},
      {"redis_url", "BL_REDIS_URL", "Redis URL, redis://host:port", set_redis_url},
      {"redis_prefix", "BL_REDIS_PREFIX", "prefix of every Redis key (one per installation)",
       string_setting(&Config::redis_prefix)},
      {"listen", "BL_LISTEN", "ingest HTTP listen address host:port (port 0 picks one)",
       set_listen},
      {"http_threads", "BL_HTTP_THREADS", "ingest event-loop threads sharing the port",
       int_setting(&Config::http_threads, 1, 64)},
      {"db_pool_size", "BL_DB_POOL_SIZE", "PostgreSQL connections per ingest process",
       int_setting(&Config::db_pool_size, 1, 256)},
      {"max_body_bytes", "BL_MAX_BODY_BYTES", "largest JSON request body accepted",
       size_setting(&Config::max_body_bytes, 1024, std::size_t{1} << 30)},
      {"max_header_bytes", "BL_MAX_HEADER_BYTES", "largest request header block accepted",
       size_setting(&Config::max_header_bytes, 1024, std::size_t{1} << 20)},
      {"max_jobs_per_request", "BL_MAX_JOBS_PER_REQUEST", "jobs in one POST /v1/jobs",
       int_setting(&Config::max_jobs_per_request, 1, 100000)},
      {"max_job_bytes", "BL_MAX_JOB_BYTES", "largest single job (messages and parameters)",
       size_setting(&Config::max_job_bytes, 256, std::size_t{64} << 20)},
      {"dev_api_key", "BL_DEV_API_KEY", "a development API key accepted as a client key",
       string_setting(&Config::dev_api_key)},
      {"dev_admin_api_key", "BL_DEV_ADMIN_API_KEY",
       "a development API key accepted as the admin of org_dev",
       string_setting(&Config::dev_admin_api_key)},
      {"dev_other_api_key", "BL_DEV_OTHER_API_KEY",
       "a development client key of a second org and workspace (tenant-isolation tests)",
       string_setting(&Config::dev_other_api_key)},
      {"max_upload_bytes", "BL_MAX_UPLOAD_BYTES", "largest file accepted by POST /v1/files",
       size_setting(&Config::max_upload_bytes, 1024, std::size_t{4} << 30)},
      {"max_batch_body_bytes", "BL_MAX_BATCH_BODY_BYTES",
       "largest body accepted by POST /v1/messages/batches",
       size_setting(&Config::max_batch_body_bytes, 1024, std::size_t{4} << 30)},
      {"max_batch_requests", "BL_MAX_BATCH_REQUESTS", "requests (lines) in one batch",
       int_setting(&Config::max_batch_requests, 1, 1000000)},
      {"batch_completion_window_s", "BL_BATCH_COMPLETION_WINDOW_S",
       "seconds a batch may run before it expires (its completion_window is \"24h\")",
       int_setting(&Config::batch_completion_window_s, 1, 30 * 86400)},
      {"batch_create_dedupe_s", "BL_BATCH_CREATE_DEDUPE_S",
       "seconds within which an identical batch create returns the batch already created "
       "(0: off)",
       int_setting(&Config::batch_create_dedupe_s, 0, 86400)},
      {"batch_manager_poll_ms", "BL_BATCH_MANAGER_POLL_MS",
       "how often the batch manager looks for batches to finalize, expire or cancel",
       int_setting(&Config::batch_manager_poll_ms, 10, 60000)},
      {"optimization_manager_poll_ms", "BL_OPTIMIZATION_MANAGER_POLL_MS",
       "how often the optimization manager looks at running optimizations (it also wakes on "
       "new events)",
       int_setting(&Config::optimization_manager_poll_ms, 10, 60000)},
      {"public_base_url", "BL_PUBLIC_BASE_URL",
       "base URL clients reach the API at (default: from the Host header)",
       string_setting(&Config::public_base_url)},
      {"max_connections", "BL_MAX_CONNECTIONS",
       "open HTTP connections per ingest process; more wait in the listen backlog",
       int_setting(&Config::max_connections, 1, 1000000)},
      {"http_timeout_s", "BL_HTTP_TIMEOUT_S",
       "seconds an HTTP connection may stay idle while reading a request or writing a reply",
       int_setting(&Config::http_timeout_s, 1, 3600)},
      {"max_json_depth", "BL_MAX_JSON_DEPTH", "deepest nesting of arrays and objects accepted",
       int_setting(&Config::max_json_depth, 2, 512)},
      {"tls_cert_file", "BL_TLS_CERT_FILE",
       "PEM certificate chain; with tls_key_file the ingest port speaks TLS only",
       string_setting(&Config::tls_cert_file)},
      {"tls_key_file", "BL_TLS_KEY_FILE", "PEM private key of tls_cert_file",
       string_setting(&Config::tls_key_file)},
      {"rate_limit_rpm", "BL_RATE_LIMIT_RPM",
       "requests per minute per API key (fleet-wide), unless the key has its own limit",
       int_setting(&Config::rate_limit_rpm, 1, 100000000)},
      {"rate_limit_burst", "BL_RATE_LIMIT_BURST", "requests an idle API key may make at once",
       int_setting(&Config::rate_limit_burst, 1, 100000000)},
      {"redis_timeout_ms", "BL_REDIS_TIMEOUT_MS",
       "deadline of ingest's Redis calls; a rate limit check past it lets the request through",
       int_setting(&Config::redis_timeout_ms, 10, 60000)},
      {"auth_refresh_ms", "BL_AUTH_REFRESH_MS", "how often ingest reloads changed API keys",
       int_setting(&Config::auth_refresh_ms, 10, 60000)},
      {"auth_max_staleness_ms", "BL_AUTH_MAX_STALENESS_MS",
       "ingest refuses database API keys (503) when its key cache is older than this",
       int_setting(&Config::auth_max_staleness_ms, 100, 600000)},
      {"key_pepper", "BL_KEY_PEPPER",
       "server secret (16+ bytes) mixed into API key hashes; changing it invalidates every key",
       string_setting(&Config::key_pepper)},
      {"data_keys", "BL_DATA_KEYS",
       "content encryption keys id:base64(32 bytes),...; the last one seals new content",
       set_data_keys},
      {"relay_batch_size", "BL_RELAY_BATCH_SIZE", "outbox rows a relay claims per transaction",
       int_setting(&Config::relay_batch_size, 1, 10000)},
      {"relay_poll_ms", "BL_RELAY_POLL_MS", "relay polling interval when no wake-up arrives",
       int_setting(&Config::relay_poll_ms, 10, 60000)},
      {"sweeper_interval_ms", "BL_SWEEPER_INTERVAL_MS",
       "time between two sweeper passes over queued jobs",
       int_setting(&Config::sweeper_interval_ms, 10, 3600000)},
      {"sweeper_timeout_ms", "BL_SWEEPER_TIMEOUT_MS",
       "a queued job quiet this long whose Redis delivery is gone is re-dispatched",
       int_setting(&Config::sweeper_timeout_ms, 10, 86400000)},
      {"webhook_timeout_ms", "BL_WEBHOOK_TIMEOUT_MS", "timeout of one webhook request",
       int_setting(&Config::webhook_timeout_ms, 100, 300000)},
      {"webhook_max_in_flight", "BL_WEBHOOK_MAX_IN_FLIGHT",
       "webhook requests in flight per relay process",
       int_setting(&Config::webhook_max_in_flight, 1, 100000)},
      {"webhook_max_in_flight_per_endpoint", "BL_WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT",
       "webhook requests in flight to one endpoint per relay process",
       int_setting(&Config::webhook_max_in_flight_per_endpoint, 1, 10000)},
      {"webhook_retry_base_ms", "BL_WEBHOOK_RETRY_BASE_MS",
       "delay before the first webhook retry; doubles per attempt",
       int_setting(&Config::webhook_retry_base_ms, 1, 86400000)},
      {"webhook_retry_max_ms", "BL_WEBHOOK_RETRY_MAX_MS", "longest delay between webhook retries",
       int_setting(&Config::webhook_retry_max_ms, 1, 86400000)},
      {"webhook_retry_window_s", "BL_WEBHOOK_RETRY_WINDOW_S",
       "a webhook is retried until this long after its event, then given up",
       int_setting(&Config::webhook_retry_window_s, 1, 7 * 86400)},
      {"webhook_allow_http", "BL_WEBHOOK_ALLOW_HTTP",
       "accept http:// webhook URLs (default: https only)",
       bool_setting(&Config::webhook_allow_http)},
      {"webhook_allow_private_addresses", "BL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES",
       "allow webhooks to loopback, private and link-local addresses (default: refused)",
       bool_setting(&Config::webhook_allow_private_addresses)},
      {"worker_name", "BL_WORKER_NAME", "stable worker consumer name (default hostname:pid)",
       string_setting(&Config::worker_name)},
      {"worker_max_inflight", "BL_WORKER_MAX_INFLIGHT", "provider calls in flight per worker",
       int_setting(&Config::worker_max_inflight, 1, 100000)},
      {"worker_max_attempts", "BL_WORKER_MAX_ATTEMPTS",
       "attempts before a job fails for good (JobFailed with the last error)",
       int_setting(&Config::worker_max_attempts, 1, 100)},
      {"worker_connect_timeout_ms", "BL_WORKER_CONNECT_TIMEOUT_MS", "provider connect timeout",
       int_setting(&Config::worker_connect_timeout_ms, 10, 600000)},
      {"worker_request_timeout_ms", "BL_WORKER_REQUEST_TIMEOUT_MS", "provider call timeout",
       int_setting(&Config::worker_request_timeout_ms, 10, 3600000)},
      {"worker_backoff_base_ms", "BL_WORKER_BACKOFF_BASE_MS", "first retry delay",
       int_setting(&Config::worker_backoff_base_ms, 1, 3600000)},
      {"worker_backoff_max_ms", "BL_WORKER_BACKOFF_MAX_MS", "longest retry delay",
       int_setting(&Config::worker_backoff_max_ms, 1, 86400000)},
      {"worker_low_speed_seconds", "BL_WORKER_LOW_SPEED_SECONDS",
       "abort a provider call that receives under 1 byte/s for this long",
       int_setting(&Config::worker_low_speed_seconds, 1, 3600)},
      {"worker_models", "BL_WORKER_MODELS",
       "worker group: comma list of model ids this worker serves (empty: all models)",
       string_setting(&Config::worker_models)},
      {"worker_visibility_timeout_ms", "BL_WORKER_VISIBILITY_TIMEOUT_MS",
       "a delivery whose worker stopped renewing its lease this long is reclaimed by another",
       int_setting(&Config::worker_visibility_timeout_ms, 1000, 3600000)},
      {"worker_max_deliveries", "BL_WORKER_MAX_DELIVERIES",
       "a delivery reclaimed more often than this is poison: the job fails without a call",
       int_setting(&Config::worker_max_deliveries, 1, 1000)},
      {"worker_shutdown_grace_ms", "BL_WORKER_SHUTDOWN_GRACE_MS",
       "on SIGTERM, in-flight calls may finish this long; the rest is handed back",
       int_setting(&Config::worker_shutdown_grace_ms, 0, 3600000)},
      {"worker_rate_burst_seconds", "BL_WORKER_RATE_BURST_SECONDS",
       "seconds of a model's requests/tokens per minute that may be spent at once",
       int_setting(&Config::worker_rate_burst_seconds, 1, 60)},
      {"worker_registry_refresh_ms", "BL_WORKER_REGISTRY_REFRESH_MS",
       "how often a worker refreshes its fleet registration (expires after 30 s)",
       int_setting(&Config::worker_registry_refresh_ms, 100, 20000)},
      {"projector_page_size", "BL_PROJECTOR_PAGE_SIZE", "events applied per transaction",
       int_setting(&Config::projector_page_size, 1, 100000)},
      {"projector_poll_ms", "BL_PROJECTOR_POLL_MS", "projector polling interval",
       int_setting(&Config::projector_poll_ms, 10, 60000)},
      {"projector_rebuild_page_size", "BL_PROJECTOR_REBUILD_PAGE_SIZE",
       "events applied per transaction by project --rebuild",
       int_setting(&Config::projector_rebuild_page_size, 1, 1000000)},
      {"admin_listen", "BL_ADMIN_LISTEN",
       "host:port for /healthz and /metrics of relay, work and project (empty: off)",
       set_admin_listen},
      {"log_level", "BL_LOG_LEVEL", "trace, debug, info, warn or error", set_log_level},
      {"log_file", "BL_LOG_FILE", "log to this file instead of stderr",
       string_setting(&Config::log_file)},
  };
  return table;
}

// Replaces ${VAR} and ${VAR:-default} with environment values.
std::string expand_env(std::string_view text, const Env& env) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      auto close = text.find('}', i + 2);
      if (close != std::string_view::npos) {
        std::string_view expr = text.substr(i + 2, close - i - 2);
        std::string_view name = expr;
        std::string_view fallback;
        if (auto d = expr.find(":-"); d != std::string_view::npos) {
          name = expr.substr(0, d);
          fallback = expr.substr(d + 2);
        }
        std::string value(fallback);
        for (const auto& [k, v] : env) {
          if (k == name && !v.empty()) value = v;
        }
        out += value;
        i = close + 1;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::string default_key_env(std::string_view model_id) {
  std::string s;
  for (char c : model_id) {
    s.push_back(std::isalnum(static_cast<unsigned char>(c))
                    ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                    : '_');
  }
  return s + "_KEY";
}

Result<std::int64_t> price_nano_usd(const JsonValue& m, const char* name) {
  const JsonValue* v = json_member(m, name);
  if (v == nullptr) return std::int64_t{0};
  if (!v->IsNumber() || v->GetDouble() < 0) return Error::invalid("must be a non-negative number");
  // USD per million tokens -> nano-USD per million tokens.
  return static_cast<std::int64_t>(v->GetDouble() * 1e9 + 0.5);
}

Status parse_models(Config& c, const JsonValue& models, const Env& env) {
  if (!models.IsArray()) return bad("models", "expected an array");
  for (rapidjson::SizeType i = 0; i < models.Size(); ++i) {
    const JsonValue& m = models[i];
    const std::string where = "models[" + std::to_string(i) + "]";
    ModelConfig mc;
    auto str = [&](const char* name, std::string* out) {
      if (auto s = json_string(m, name)) *out = expand_env(*s, env);
    };
    auto num = [&](const char* name, int* out, int min, int max) -> Status {
      const JsonValue* v = json_member(m, name);
      if (v == nullptr) return {};
      if (!v->IsInt() || v->GetInt() < min || v->GetInt() > max) {
        return Error::invalid(where + "." + name + ": expected an integer in [" +
                              std::to_string(min) + ", " + std::to_string(max) + "]");
      }
      *out = v->GetInt();
      return {};
    };
    str("id", &mc.id);
    str("provider", &mc.provider);
    str("base_url", &mc.base_url);
    str("upstream_model", &mc.upstream_model);
    str("api_key_env", &mc.api_key_env);
    str("api_version", &mc.api_version);
    for (auto s : {num("max_concurrency", &mc.max_concurrency, 1, 1000000),
                   num("requests_per_minute", &mc.requests_per_minute, 0, 100000000),
                   num("tokens_per_minute", &mc.tokens_per_minute, 0, 2000000000),
                   num("context_window", &mc.context_window, 0, 100000000),
                   num("max_output_tokens", &mc.max_output_tokens, 1, 10000000)}) {
      if (!s.ok()) return s;
    }
    if (const JsonValue* v = json_member(m, "stream")) {
      if (!v->IsBool()) return Error::invalid(where + ".stream: expected true or false");
      mc.stream = v->GetBool();
    }
    auto pin = price_nano_usd(m, "input_usd_per_mtok");
    auto pout = price_nano_usd(m, "output_usd_per_mtok");
    if (!pin.ok() || !pout.ok()) return Error::invalid(where + ": bad price");
    mc.input_nano_usd_per_mtok = *pin;
    mc.output_nano_usd_per_mtok = *pout;
    if (mc.id.empty() || mc.id.size() > 128) {
      return Error::invalid(where + ".id: required, at most 128 characters");
    }
    for (char ch : mc.id) {
      // The id is part of Redis keys ("bl:{model}:q:0"): no braces, spaces or control bytes.
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.' ||
            ch == ':' || ch == '/')) {
        return Error::invalid(where + ".id: only letters, digits and -_.:/ are allowed");
      }
    }
    if (mc.provider != "openai" && mc.provider != "azure" && mc.provider != "anthropic" &&
        mc.provider != "gemini") {
      return Error::invalid(where + ".provider: expected openai, azure, anthropic or gemini");
    }
    if (mc.base_url.empty()) return Error::invalid(where + ".base_url: required");
    if (mc.upstream_model.empty()) mc.upstream_model = mc.id;
    for (char ch : mc.upstream_model) {
      // Azure and Gemini put it in the URL path.
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.' ||
            ch == ':' || ch == '/' || ch == '@')) {
        return Error::invalid(where +
                              ".upstream_model: only letters, digits and -_.:/@ are allowed");
      }
    }
    if (mc.api_key_env.empty()) mc.api_key_env = default_key_env(mc.id);
    for (const auto& [k, v] : env) {
      if (k == mc.api_key_env) mc.api_key = v;
    }
    if (c.find_model(mc.id) != nullptr) return Error::invalid(where + ".id: duplicate model id");
    c.models.push_back(std::move(mc));
  }
  return {};
}

Env process_env() {
  Env env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace

std::vector<std::string> Config::worker_model_ids() const {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < worker_models.size()) {
    std::size_t comma = worker_models.find(',', start);
    if (comma == std::string::npos) comma = worker_models.size();
    std::string id = worker_models.substr(start, comma - start);
    while (!id.empty() && id.back() == ' ')
      id.pop_back();
    while (!id.empty() && id.front() == ' ')
      id.erase(0, 1);
    if (!id.empty()) out.push_back(std::move(id));
    start = comma + 1;
  }
  return out;
}

const ModelConfig* Config::find_model(std::string_view id) const {
  for (const auto& m : models) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

Result<Config> load_config_from(const std::string& json_text, const Env& env) {
  Config c;
  if (!json_text.empty()) {
    auto doc = parse_json(json_text);
    if (!doc.ok()) return Error::invalid("config file: " + doc.error().message);
    if (!doc->IsObject()) return Error::invalid("config file: expected a JSON object");
    for (auto it = doc->MemberBegin(); it != doc->MemberEnd(); ++it) {
      std::string_view key = as_view(it->name);
      if (key == "models") {
        if (auto s = parse_models(c, it->value, env); !s.ok()) return s.error();
        continue;
      }
      const Setting* setting = nullptr;
      for (const auto& s : settings()) {
        if (key == s.key) setting = &s;
      }
      if (setting == nullptr) {
        return Error::invalid("config file: unknown setting \"" + std::string(key) + "\"");
      }
      std::string text;
      if (it->value.IsString()) {
        text = expand_env(as_view(it->value), env);
      } else if (it->value.IsNumber() || it->value.IsBool()) {
        text = to_json(it->value);
      } else {
        return bad(setting->key, "expected a string or a number");
      }
      if (auto s = setting->set(c, text); !s.ok()) return bad(setting->key, s.error().message);
    }
  }
  for (const auto& s : settings()) {
    for (const auto& [k, v] : env) {
      if (k != s.env) continue;
      if (auto st = s.set(c, v); !st.ok()) {
        return Error::invalid(std::string(s.env) + ": " + st.error().message);
      }
    }
  }
  if (c.worker_name.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    c.worker_name = std::string(host) + ":" + std::to_string(getpid());
  }
  if (c.webhook_retry_max_ms < c.webhook_retry_base_ms) {
    return Error::invalid("webhook_retry_max_ms must be at least webhook_retry_base_ms");
  }
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return Error::invalid("tls_cert_file and tls_key_file must be set together");
  }
  if (c.auth_max_staleness_ms <= c.auth_refresh_ms) {
    return Error::invalid("auth_max_staleness_ms must be larger than auth_refresh_ms");
  }
  if (c.worker_backoff_max_ms < c.worker_backoff_base_ms) {
    return Error::invalid("worker_backoff_max_ms must be at least worker_backoff_base_ms");
  }
  for (const auto& id : c.worker_model_ids()) {
    if (c.find_model(id) == nullptr) return bad("worker_models", "names a model not configured");
  }
  for (char ch : c.redis_prefix) {
    if (ch == '{' || ch == '}' || std::isspace(static_cast<unsigned char>(ch))) {
      return bad("redis_prefix", "must not contain braces or spaces");
    }
  }
  return c;
}

Result<Config> load_config() {
  Env env = process_env();
  std::string json_text;
  for (const auto& [k, v] : env) {
    if (k != "BL_CONFIG" || v.empty()) continue;
    std::ifstream in(v);
    if (!in) return Error::invalid("BL_CONFIG: cannot read " + v);
    std::stringstream ss;
    ss << in.rdbuf();
    json_text = ss.str();
  }
  return load_config_from(json_text, env);
}

std::vector<SettingInfo> describe_settings() {
  std::vector<SettingInfo> out;
  for (const auto& s : settings())
    out.push_back({s.key, s.env, s.help});
  return out;
}

}  // namespace bl
