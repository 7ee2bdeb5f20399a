#include "workers/delivery_leases.hpp"

#include "core/queue_keys.hpp"

namespace bl {
namespace {

constexpr std::size_t kIdsPerClaim = 500;

}  // namespace

DeliveryLeases::DeliveryLeases(RedisAsync& redis, std::string consumer)
    : redis_(redis), consumer_(std::move(consumer)) {}

void DeliveryLeases::hold(const Delivery& d) {
  if (held_[d.stream].insert(d.entry_id).second) ++held_count_;
}

void DeliveryLeases::release(const Delivery& d) {
  auto it = held_.find(d.stream);
  if (it == held_.end()) return;
  if (it->second.erase(d.entry_id) > 0) --held_count_;
  if (it->second.empty()) held_.erase(it);
}

bool DeliveryLeases::holds(const Delivery& d) const {
  auto it = held_.find(d.stream);
  return it != held_.end() && it->second.count(d.entry_id) > 0;
}

void DeliveryLeases::heartbeat() {
  auto ignore = [](Result<RedisReply>) {};
  for (const auto& [stream, ids] : held_) {
    RedisArgs args;
    for (const auto& id : ids) {
      if (args.empty()) args = {"XCLAIM", stream, kConsumerGroup, consumer_, "0"};
      args.push_back(id);
      if (args.size() - 5 == kIdsPerClaim) {
        args.push_back("JUSTID");
        redis_.command(args, ignore);
        args.clear();
      }
    }
    if (!args.empty()) {
      args.push_back("JUSTID");
      redis_.command(args, ignore);
    }
  }
}

void DeliveryLeases::reclaim(const std::string& stream, const std::string& model,
                             std::int64_t min_idle_ms, int limit, Claimed claimed) {
  const std::string idle = std::to_string(min_idle_ms);
  redis_.command(
      {"XPENDING", stream, kConsumerGroup, "IDLE", idle, "-", "+", std::to_string(limit)},
      [this, stream, model, idle, claimed = std::move(claimed)](Result<RedisReply> r) {
        if (!r.ok() || r->type != RedisReply::Type::kArray || r->elements.empty()) {
          return claimed({}, {});
        }
        // [id, consumer, idle ms, times delivered] per pending entry.
        auto counts = std::make_shared<std::unordered_map<std::string, int>>();
        RedisArgs args{"XCLAIM", stream, kConsumerGroup, consumer_, idle};
        for (const auto& e : r->elements) {
          if (e.elements.size() != 4) continue;
          (*counts)[e.elements[0].str] = static_cast<int>(e.elements[3].integer);
          args.push_back(e.elements[0].str);
        }
        if (args.size() == 5) return claimed({}, {});
        redis_.command(args, [stream, model, counts, claimed](Result<RedisReply> c) {
          std::vector<Delivery> out;
          std::vector<Delivery> malformed;
          if (c.ok() && c->type == RedisReply::Type::kArray) {
            for (const auto& entry : c->elements) {
              Delivery d;
              const bool good = parse_stream_entry(entry, stream, model, &d);
              if (d.entry_id.empty()) continue;  // deleted from the stream meanwhile
              if (!good) {
                malformed.push_back(std::move(d));
                continue;
              }
              auto it = counts->find(d.entry_id);
              d.times_delivered = (it == counts->end() ? 0 : it->second) + 1;
              out.push_back(std::move(d));
            }
          }
          claimed(std::move(out), std::move(malformed));
        });
      });
}

}  // namespace bl
