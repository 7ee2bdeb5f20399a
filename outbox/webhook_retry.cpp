#include "outbox/webhook_retry.hpp"

#include <algorithm>

namespace bl {

WebhookRetryPolicy WebhookRetryPolicy::from(const Config& config) {
  return {config.webhook_retry_base_ms, config.webhook_retry_max_ms,
          static_cast<std::int64_t>(config.webhook_retry_window_s) * 1000};
}

std::optional<std::int64_t> webhook_retry_at(const WebhookRetryPolicy& policy, int attempt,
                                             std::int64_t occurred_ms, std::int64_t now_ms,
                                             std::mt19937_64& rng) {
  const int doublings = std::clamp(attempt - 1, 0, 40);
  std::int64_t delay = policy.base_ms;
  for (int i = 0; i < doublings && delay < policy.max_ms; ++i)
    delay *= 2;
  delay = std::min(delay, policy.max_ms);
  std::uniform_int_distribution<std::int64_t> jitter(delay * 8 / 10, delay * 12 / 10);
  const std::int64_t at = now_ms + std::max<std::int64_t>(1, jitter(rng));
  if (at > occurred_ms + policy.window_ms) return std::nullopt;
  return at;
}

}  // namespace bl
