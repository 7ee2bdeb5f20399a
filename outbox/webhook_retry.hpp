#pragma once
// When a failed webhook is tried again. Any answer but a 2xx, and any transport failure, is
// retried: after webhook_retry_base_ms, doubling per attempt up to webhook_retry_max_ms, with
// +-20% jitter so that endpoints coming back are not hit by every retry at once; until the
// next attempt would fall after the notification's time + webhook_retry_window_s, when the
// delivery is given up. The defaults (5 s, 1 h, 24 h) make about 30 attempts.

#include <cstdint>
#include <optional>
#include <random>

#include "config/config.hpp"

namespace bl {

struct WebhookRetryPolicy {
  std::int64_t base_ms = 5000;
  std::int64_t max_ms = 3600000;
  std::int64_t window_ms = 86400000;

  static WebhookRetryPolicy from(const Config& config);
};

// The time of the attempt after `attempt` failed at now_ms; nullopt: give up.
std::optional<std::int64_t> webhook_retry_at(const WebhookRetryPolicy& policy, int attempt,
                                             std::int64_t occurred_ms, std::int64_t now_ms,
                                             std::mt19937_64& rng);

}  // namespace bl
