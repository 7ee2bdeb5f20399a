#include "core/pg_wait.hpp"

#include <algorithm>
#include <chrono>

namespace bl {

bool await_notification_or_stop(pqxx::connection& conn, std::int64_t wait_ms,
                                const StopSignal& stop) {
  constexpr std::int64_t kSliceMs = 250;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (!stop.stop_requested()) {
    const std::int64_t left = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  until - std::chrono::steady_clock::now())
                                  .count();
    if (left <= 0) return false;
    const std::int64_t slice = std::min(left, kSliceMs);
    if (conn.await_notification(slice / 1000, (slice % 1000) * 1000) > 0) return true;
  }
  return false;
}

}  // namespace bl
