#pragma once
// The fleet registry in Redis: each live worker keeps a hash <prefix>:worker:<id> (host, pid,
// started_ms, last_seen_ms, in_flight, max_in_flight, models, queues) with a TTL, and its score
// (last seen, ms) in the sorted set <prefix>:workers; both are refreshed every few seconds. A
// worker that dies drops out when its hash expires; readers skip members without a hash.

#include <cstdint>
#include <string>
#include <vector>

#include "core/queue_keys.hpp"
#include "core/redis.hpp"

namespace bl {

inline constexpr int kWorkerRegistrationTtlMs = 30000;

struct WorkerInfo {
  std::string id;
  std::string host;
  int pid = 0;
  std::int64_t started_ms = 0;
  std::int64_t last_seen_ms = 0;
  int in_flight = 0;
  int max_in_flight = 0;
  std::vector<std::string> models;
  std::vector<std::string> queues;  // stream keys it reads
};

// Commands that register or refresh a worker.
std::vector<RedisArgs> worker_registration(const QueueKeys& keys, const WorkerInfo& w);
// Commands that remove a worker (graceful exit).
std::vector<RedisArgs> worker_deregistration(const QueueKeys& keys, const std::string& id);
// Live workers (seen within the TTL), ordered by id. Blocking client.
Result<std::vector<WorkerInfo>> live_workers(RedisClient& redis, const QueueKeys& keys,
                                             std::int64_t now_ms);

}  // namespace bl
