#include "ingest/rate_limiter.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/token_bucket.hpp"

namespace bl {

std::string KeyRateLimiter::bucket_key(const std::string& key_id) const {
  return config_.redis_prefix + ":{" + key_id + "}:rate";
}

void KeyRateLimiter::check(const std::string& key_id, int rate_limit_rpm,
                           std::function<void(RateDecision)> done) {
  static Counter& unavailable = MetricsRegistry::global().counter(
      "bl_ingest_rate_limit_unchecked_total",
      "requests let through because Redis could not check the rate limit");
  static Counter& refused = MetricsRegistry::global().counter(
      "bl_ingest_rate_limited_total", "requests refused by the per-key rate limit");
  const int rpm = rate_limit_rpm > 0 ? rate_limit_rpm : config_.rate_limit_rpm;
  const TokenBucketSpec spec{
      static_cast<double>(std::max(1, std::min(rpm, config_.rate_limit_burst))), rpm / 60.0};
  redis_.eval(
      token_bucket_script(), {bucket_key(key_id)}, token_bucket_argv(spec, 1),
      [done = std::move(done)](Result<RedisReply> reply) {
        auto result = reply.ok() && !reply->is_error()
                          ? parse_token_bucket_reply(*reply)
                          : Result<TokenBucketResult>(Error::unavailable("redis"));
        if (!result.ok()) {
          unavailable.inc();
          log::warn("ingest.rate_limit_unchecked", {});
          return done(RateDecision{});
        }
        if (result->allowed) return done(RateDecision{});
        refused.inc();
        const std::int64_t wait_s = (result->wait_ms + 999) / 1000;
        done(RateDecision{false, static_cast<int>(std::clamp<std::int64_t>(wait_s, 1, 59))});
      });
}

}  // namespace bl
