#pragma once
// Token buckets in Redis, shared by every process of the fleet (ingest per-key request limits,
// worker per-model requests/tokens per minute). One Lua script takes tokens atomically using
// the Redis server's clock, so the nodes' clocks need not agree.

#include <cstdint>
#include <string>

#include "core/redis.hpp"

namespace bl {

struct TokenBucketSpec {
  double capacity = 0;        // burst size
  double refill_per_sec = 0;  // sustained rate
};

// KEYS[1] bucket; ARGV capacity, refill per second, cost.
// Returns {allowed (0|1), wait_ms until `cost` tokens would be available}.
const RedisScript& token_bucket_script();

// EVALSHA arguments to take `cost` tokens from `key`.
RedisArgs token_bucket_take(const std::string& key, const TokenBucketSpec& spec, double cost);
// The script's ARGV alone (for RedisThread::eval, which adds EVALSHA and the keys).
RedisArgs token_bucket_argv(const TokenBucketSpec& spec, double cost);

struct TokenBucketResult {
  bool allowed = false;
  std::int64_t wait_ms = 0;
};
// Interprets the script's reply; nullopt-like failure as kUnavailable.
Result<TokenBucketResult> parse_token_bucket_reply(const RedisReply& reply);

}  // namespace bl
