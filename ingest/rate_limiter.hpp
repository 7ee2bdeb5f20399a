#pragma once
// The per-key request rate limit: one token bucket per API key in Redis (core/token_bucket),
// shared by every ingest node. Capacity min(rpm, burst), refilled at rpm/60 per second.
// Redis being unreachable or slow lets requests through (counted): the limit protects the
// service and must not take it down with Redis.

#include <functional>
#include <string>

#include "config/config.hpp"
#include "core/redis_thread.hpp"

namespace bl {

struct RateDecision {
  bool allowed = true;
  int retry_after_s = 0;  // 1..59 when refused
};

class KeyRateLimiter {
 public:
  KeyRateLimiter(const Config& config, RedisThread& redis) : config_(config), redis_(redis) {}
  // Takes one token for the key; `done` runs on the Redis thread.
  void check(const std::string& key_id, int rate_limit_rpm, std::function<void(RateDecision)> done);
  // <prefix>:{<key id>}:rate — the hash tag keeps a key's bucket in one Cluster slot.
  std::string bucket_key(const std::string& key_id) const;

 private:
  const Config& config_;
  RedisThread& redis_;
};

}  // namespace bl
