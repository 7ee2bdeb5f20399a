#pragma once
// Each ingest node's in-memory copy of the API keys, so that authentication never blocks the
// event loop. A refresher thread reloads the keys that changed, every auth_refresh_ms:
// revocation reaches every node within that interval plus one query. A node whose refresher
// cannot reach the database for auth_max_staleness_ms refuses database keys (kUnavailable)
// rather than keep trusting keys that may have been revoked meanwhile.
//
// Incremental reload without missing a change: every change to a key moves its row's tx_id
// (a trigger), and a reload reads rows whose tx_id is at or above the snapshot xmin of the
// previous reload. Transactions below that xmin had finished, so their rows were visible then.
//
// Keys are looked up by their HMAC (ingest/api_key.hpp). Nobody can choose an HMAC output
// without the pepper, so the timing of the lookup tells an attacker nothing about stored keys.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/pg.hpp"
#include "ingest/principal.hpp"

namespace bl {

struct CachedKey {
  Principal principal;
  std::int64_t expires_ms = 0;  // 0: never
  int rate_limit_rpm = 0;       // 0: the configured default
};

struct KeyCacheOptions {
  std::string database_url;
  int refresh_ms = 200;
  int max_staleness_ms = 1000;
  // Clocks, replaceable by tests: monotonic milliseconds (staleness) and wall milliseconds
  // since the epoch (expiry).
  std::function<std::int64_t()> steady_ms;
  std::function<std::int64_t()> wall_ms;
};

class KeyCache {
 public:
  explicit KeyCache(KeyCacheOptions options);
  ~KeyCache();
  KeyCache(const KeyCache&) = delete;
  KeyCache& operator=(const KeyCache&) = delete;

  // Starts the refresher thread; waits up to `first_load` for the first reload to succeed.
  void start(std::chrono::milliseconds first_load);
  void stop();

  // By stored hash (ingest/api_key.hpp). kUnauthenticated for an unknown, revoked or expired
  // key; kUnavailable while the cache is too stale to trust.
  Result<CachedKey> find(std::string_view hash) const;
  // Notes a use; the refresher writes last_used_at in batches, at most once a second.
  void record_use(const std::string& key_id);
  // One reload on `conn` (the refresher's step; tests call it directly).
  Status refresh(pqxx::connection& conn);
  std::size_t size() const;

 private:
  void run();
  void flush_uses(pqxx::connection& conn);

  KeyCacheOptions options_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, CachedKey> by_hash_;  // GUARDED_BY(mutex_)
  std::uint64_t horizon_ = 0;                           // refresher only
  std::atomic<std::int64_t> fresh_at_ms_{-1};           // steady ms of the last good reload
  std::atomic<bool> loaded_{false};

  std::mutex uses_mutex_;
  std::unordered_set<std::string> uses_;  // GUARDED_BY(uses_mutex_)
  std::int64_t last_flush_ms_ = 0;        // refresher only

  std::mutex run_mutex_;
  std::condition_variable run_cv_;
  bool stopping_ = false;  // GUARDED_BY(run_mutex_)
  std::thread thread_;
};

}  // namespace bl
