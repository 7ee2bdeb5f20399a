#include "core/token_bucket.hpp"

#include <cstdio>

namespace bl {

const RedisScript& token_bucket_script() {
  static const RedisScript script(R"lua(
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or cap
local ts = tonumber(b[2]) or now
if now > ts then tokens = math.min(cap, tokens + (now - ts) * rate / 1000) end
local allowed = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
elseif rate > 0 then
  wait = math.ceil((cost - tokens) * 1000 / rate)
else
  wait = -1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
if rate > 0 then
  redis.call('PEXPIRE', KEYS[1], math.ceil(cap * 1000 / rate) + 1000)
end
return {allowed, wait}
)lua");
  return script;
}

RedisArgs token_bucket_argv(const TokenBucketSpec& spec, double cost) {
  char cap[32], rate[32], c[32];
  std::snprintf(cap, sizeof(cap), "%.6f", spec.capacity);
  std::snprintf(rate, sizeof(rate), "%.6f", spec.refill_per_sec);
  std::snprintf(c, sizeof(c), "%.6f", cost);
  return {cap, rate, c};
}

RedisArgs token_bucket_take(const std::string& key, const TokenBucketSpec& spec, double cost) {
  return token_bucket_script().evalsha({key}, token_bucket_argv(spec, cost));
}

Result<TokenBucketResult> parse_token_bucket_reply(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::kArray || reply.elements.size() != 2) {
    return Error::unavailable("unexpected token bucket reply");
  }
  return TokenBucketResult{reply.elements[0].integer == 1, reply.elements[1].integer};
}

}  // namespace bl
