#include "core/fleet_status.hpp"

#include "core/fleet_registry.hpp"
#include "core/json.hpp"
#include "core/queue_keys.hpp"

namespace bl {

Result<std::string> fleet_status_json(RedisClient& redis, const std::string& prefix,
                                      const std::vector<ModelConfig>& models, std::int64_t now_ms,
                                      const std::vector<ProjectionLagFigure>& projections) {
  const QueueKeys keys(prefix);
  std::vector<RedisArgs> reads;
  for (const auto& m : models) {
    for (int band = 0; band < kPriorityBands; ++band) {
      reads.push_back({"XLEN", keys.stream(m.id, band)});
      reads.push_back({"XPENDING", keys.stream(m.id, band), kConsumerGroup});
    }
  }
  std::vector<RedisReply> replies;
  if (!reads.empty()) {
    auto r = redis.pipeline(reads);
    if (!r.ok()) return r.error();
    replies = std::move(*r);
  }
  auto workers = live_workers(redis, keys, now_ms);
  if (!workers.ok()) return workers.error();

  JsonWriter w;
  w.begin_object().field("object", "status").key("queues").begin_array();
  std::size_t i = 0;
  for (const auto& m : models) {
    for (int band = 0; band < kPriorityBands; ++band, i += 2) {
      const RedisReply& len = replies[i];
      const RedisReply& pending = replies[i + 1];
      // XPENDING's summary starts with the count; NOGROUP (no worker yet) is an error reply.
      const long long pending_count =
          pending.type == RedisReply::Type::kArray && !pending.elements.empty()
              ? pending.elements[0].integer
              : 0;
      w.begin_object().field("model", m.id).field("band", band);
      w.field("length", static_cast<std::int64_t>(len.integer));
      w.field("pending", static_cast<std::int64_t>(pending_count)).end_object();
    }
  }
  w.end_array().key("workers").begin_array();
  for (const auto& wk : *workers) {
    w.begin_object().field("id", wk.id).field("host", wk.host).field("pid", wk.pid);
    w.field("in_flight", wk.in_flight).field("max_in_flight", wk.max_in_flight);
    w.key("models").begin_array();
    for (const auto& m : wk.models)
      w.value(m);
    w.end_array();
    w.key("queues").begin_array();
    for (const auto& q : wk.queues)
      w.value(q);
    w.end_array();
    w.field("started_ms", wk.started_ms).field("last_seen_ms", wk.last_seen_ms).end_object();
  }
  w.end_array().key("projections").begin_array();
  for (const auto& p : projections) {
    w.begin_object().field("name", p.name).field("lag_events", p.lag_events);
    w.field("lag_seconds", p.lag_seconds).end_object();
  }
  w.end_array().end_object();
  return w.str();
}

}  // namespace bl
