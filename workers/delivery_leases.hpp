#pragma once
// Leases on deliveries, on the worker's loop thread. A delivery read with XREADGROUP stays in
// the consumer group's pending list until it is acknowledged; its idle time is the lease. While
// a worker holds a delivery it renews the lease (heartbeat: XCLAIM ... JUSTID to itself, which
// resets the idle time without counting a delivery). A worker that dies stops renewing; once
// its deliveries have been idle for the visibility timeout a live worker claims them
// (XPENDING IDLE, then XCLAIM, which counts a delivery). A delivery claimed more than
// worker_max_deliveries times is poison: the worker records the job failed instead of calling.

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/redis.hpp"
#include "workers/delivery.hpp"

namespace bl {

class DeliveryLeases {
 public:
  DeliveryLeases(RedisAsync& redis, std::string consumer);
  DeliveryLeases(const DeliveryLeases&) = delete;
  DeliveryLeases& operator=(const DeliveryLeases&) = delete;

  void hold(const Delivery& d);
  void release(const Delivery& d);
  std::size_t held() const { return held_count_; }
  bool holds(const Delivery& d) const;

  // Renews the lease of every held delivery.
  void heartbeat();

  using Claimed = std::function<void(std::vector<Delivery> good, std::vector<Delivery> malformed)>;
  // Claims up to `limit` deliveries of `stream` (a queue of `model`) idle for at least
  // min_idle_ms; `claimed` gets them (possibly none), each with its delivery count, and the
  // malformed entries (to be acknowledged and dropped).
  void reclaim(const std::string& stream, const std::string& model, std::int64_t min_idle_ms,
               int limit, Claimed claimed);

 private:
  RedisAsync& redis_;
  std::string consumer_;
  std::unordered_map<std::string, std::unordered_set<std::string>> held_;  // stream -> ids
  std::size_t held_count_ = 0;
};

}  // namespace bl
