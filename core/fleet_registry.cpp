#include "core/fleet_registry.hpp"

#include <algorithm>
#include <charconv>

namespace bl {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::int64_t to_int64(const std::string& s) {
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace

std::vector<RedisArgs> worker_registration(const QueueKeys& keys, const WorkerInfo& w) {
  const std::string hash = keys.worker(w.id);
  return {
      {"HSET", hash, "host", w.host, "pid", std::to_string(w.pid), "started_ms",
       std::to_string(w.started_ms), "last_seen_ms", std::to_string(w.last_seen_ms), "in_flight",
       std::to_string(w.in_flight), "max_in_flight", std::to_string(w.max_in_flight), "models",
       joined(w.models), "queues", joined(w.queues)},
      {"PEXPIRE", hash, std::to_string(kWorkerRegistrationTtlMs)},
      {"ZADD", keys.workers(), std::to_string(w.last_seen_ms), w.id},
      // Members whose hash is long gone are pruned by every live worker.
      {"ZREMRANGEBYSCORE", keys.workers(), "-inf",
       std::to_string(w.last_seen_ms - 10 * kWorkerRegistrationTtlMs)},
  };
}

std::vector<RedisArgs> worker_deregistration(const QueueKeys& keys, const std::string& id) {
  return {{"DEL", keys.worker(id)}, {"ZREM", keys.workers(), id}};
}

Result<std::vector<WorkerInfo>> live_workers(RedisClient& redis, const QueueKeys& keys,
                                             std::int64_t now_ms) {
  auto ids = redis.command(
      {"ZRANGEBYSCORE", keys.workers(), std::to_string(now_ms - kWorkerRegistrationTtlMs), "+inf"});
  if (!ids.ok()) return ids.error();
  if (ids->type != RedisReply::Type::kArray) return std::vector<WorkerInfo>{};
  std::vector<RedisArgs> reads;
  for (const auto& id : ids->elements)
    reads.push_back({"HGETALL", keys.worker(id.str)});
  std::vector<WorkerInfo> out;
  if (reads.empty()) return out;
  auto hashes = redis.pipeline(reads);
  if (!hashes.ok()) return hashes.error();
  for (std::size_t i = 0; i < hashes->size(); ++i) {
    const RedisReply& h = (*hashes)[i];
    if (h.type != RedisReply::Type::kArray || h.elements.empty()) continue;  // expired
    WorkerInfo w;
    w.id = ids->elements[i].str;
    for (std::size_t f = 0; f + 1 < h.elements.size(); f += 2) {
      const std::string& k = h.elements[f].str;
      const std::string& v = h.elements[f + 1].str;
      if (k == "host") w.host = v;
      if (k == "pid") w.pid = static_cast<int>(to_int64(v));
      if (k == "started_ms") w.started_ms = to_int64(v);
      if (k == "last_seen_ms") w.last_seen_ms = to_int64(v);
      if (k == "in_flight") w.in_flight = static_cast<int>(to_int64(v));
      if (k == "max_in_flight") w.max_in_flight = static_cast<int>(to_int64(v));
      if (k == "models") w.models = split(v);
      if (k == "queues") w.queues = split(v);
    }
    out.push_back(std::move(w));
  }
  std::sort(out.begin(), out.end(),
            [](const WorkerInfo& a, const WorkerInfo& b) { return a.id < b.id; });
  return out;
}

}  // namespace bl
