#include "ingest/key_cache.hpp"

#include <charconv>

#include "core/log.hpp"
#include "core/metrics.hpp"

namespace bl {
namespace {

constexpr std::int64_t kUseFlushMs = 1000;

std::int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

KeyCache::KeyCache(KeyCacheOptions options) : options_(std::move(options)) {
  if (!options_.steady_ms) options_.steady_ms = steady_now_ms;
  if (!options_.wall_ms) options_.wall_ms = wall_now_ms;
}

KeyCache::~KeyCache() {
  stop();
}

void KeyCache::start(std::chrono::milliseconds first_load) {
  thread_ = std::thread([this] { run(); });
  const auto until = std::chrono::steady_clock::now() + first_load;
  std::unique_lock lock(run_mutex_);
  while (!loaded_ && std::chrono::steady_clock::now() < until) {
    run_cv_.wait_for(lock, std::chrono::milliseconds(20));
  }
}

void KeyCache::stop() {
  {
    std::lock_guard lock(run_mutex_);
    stopping_ = true;
  }
  run_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<CachedKey> KeyCache::find(std::string_view hash) const {
  const std::int64_t fresh_at = fresh_at_ms_.load();
  if (fresh_at < 0 || options_.steady_ms() - fresh_at > options_.max_staleness_ms) {
    return Error::unavailable("API keys cannot be checked right now; retry shortly");
  }
  std::shared_lock lock(mutex_);
  auto it = by_hash_.find(std::string(hash));
  if (it == by_hash_.end()) return Error{ErrorCode::kUnauthenticated, "invalid API key"};
  if (it->second.expires_ms != 0 && it->second.expires_ms <= options_.wall_ms()) {
    return Error{ErrorCode::kUnauthenticated, "API key expired"};
  }
  return it->second;
}

void KeyCache::record_use(const std::string& key_id) {
  std::lock_guard lock(uses_mutex_);
  uses_.insert(key_id);
}

std::size_t KeyCache::size() const {
  std::shared_lock lock(mutex_);
  return by_hash_.size();
}

Status KeyCache::refresh(pqxx::connection& conn) {
  const std::int64_t started = options_.steady_ms();
  struct Change {
    std::string hash;
    bool revoked;
    CachedKey key;
  };
  std::vector<Change> changes;
  std::uint64_t next_horizon = 0;
  auto loaded = pg_call([&]() -> Status {
    // One snapshot for the horizon and the rows.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
    // The row keeps its result alive: a view of a temporary's field would dangle.
    const pqxx::row horizon = tx.exec1("SELECT pg_snapshot_xmin(pg_current_snapshot())::text");
    const auto xmin = pg_view(horizon[0]);
    std::from_chars(xmin.data(), xmin.data() + xmin.size(), next_horizon);
    const auto rows = tx.exec_params(
        "SELECT key_hash, key_id, scope, coalesce(org_id, ''), coalesce(workspace_id, ''),"
        " coalesce((extract(epoch FROM expires_at) * 1000)::bigint, 0), revoked_at IS NOT NULL,"
        " coalesce(rate_limit_rpm, 0) FROM api_keys WHERE tx_id >= $1::xid8",
        std::to_string(horizon_));
    for (const auto& r : rows) {
      Change c;
      c.hash = pqxx::binarystring(r[0]).str();
      c.key.principal.key_id = r[1].as<std::string>();
      c.key.principal.scope = parse_scope(pg_view(r[2])).value_or(Scope::kClient);
      c.key.principal.org_id = r[3].as<std::string>();
      c.key.principal.workspace_id = r[4].as<std::string>();
      c.key.expires_ms = r[5].as<std::int64_t>();
      c.revoked = r[6].as<bool>();
      c.key.rate_limit_rpm = r[7].as<int>();
      changes.push_back(std::move(c));
    }
    tx.commit();
    return {};
  });
  if (!loaded.ok()) return loaded;
  {
    std::unique_lock lock(mutex_);
    for (auto& c : changes) {
      if (c.revoked) {
        by_hash_.erase(c.hash);
      } else {
        by_hash_[c.hash] = std::move(c.key);
      }
    }
  }
  horizon_ = next_horizon;
  fresh_at_ms_ = started;
  if (!changes.empty()) {
    log::debug("auth.keys_reloaded", {{"changed", changes.size()}, {"cached", size()}});
  }
  flush_uses(conn);
  return {};
}

void KeyCache::flush_uses(pqxx::connection& conn) {
  const std::int64_t now = options_.steady_ms();
  if (now - last_flush_ms_ < kUseFlushMs) return;
  std::vector<std::string> ids;
  {
    std::lock_guard lock(uses_mutex_);
    ids.assign(uses_.begin(), uses_.end());
    uses_.clear();
  }
  last_flush_ms_ = now;
  if (ids.empty()) return;
  auto s = pg_call([&]() -> Status {
    pqxx::work tx(conn);
    tx.exec_params("UPDATE api_keys SET last_used_at = now() WHERE key_id = ANY($1::text[])",
                   pg_text_array(ids));
    tx.commit();
    return {};
  });
  if (!s.ok()) log::warn("auth.last_used_failed", {{"keys", ids.size()}});
}

void KeyCache::run() {
  static Counter& failures = MetricsRegistry::global().counter(
      "bl_auth_cache_refresh_failures_total", "API key cache reloads that failed");
  PgConnectionPtr conn;
  for (;;) {
    {
      std::unique_lock lock(run_mutex_);
      if (stopping_) return;
    }
    if (!conn) {
      auto c = pg_connect(options_.database_url, options_.max_staleness_ms);
      if (c.ok()) conn = std::move(*c);
    }
    if (conn) {
      auto s = refresh(*conn);
      if (s.ok()) {
        if (!loaded_.exchange(true)) run_cv_.notify_all();
      } else {
        failures.inc();
        log::warn("auth.refresh_failed", {{"error", log::code(error_code_name(s.error().code))}});
        if (!conn->is_open() || s.error().code == ErrorCode::kUnavailable) conn.reset();
      }
    }
    std::unique_lock lock(run_mutex_);
    run_cv_.wait_for(lock, std::chrono::milliseconds(options_.refresh_ms),
                     [this] { return stopping_; });
  }
}

}  // namespace bl
