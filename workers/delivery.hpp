#pragma once
// A delivery: one job handed to a worker through a Redis stream entry. It carries ids and
// routing only; the worker loads the job itself from the log.

#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "core/redis.hpp"

namespace bl {

struct Delivery {
  std::string stream;    // the stream key it came from
  std::string entry_id;  // its stream entry id (for XACK/XDEL)
  std::string model;
  Uuid job_id;
  int attempt = 1;
  int priority = 500;
  int times_delivered = 1;  // Redis' delivery count: above the limit the delivery is poison
};

// Parses one stream entry ([id, [field, value, ...]]) of `stream` (a queue of `model`).
// Returns false when the entry is malformed (to be acknowledged and dropped); *out still
// carries its stream and id then.
bool parse_stream_entry(const RedisReply& entry, const std::string& stream,
                        const std::string& model, Delivery* out);

// Parses an XREADGROUP reply into deliveries. stream_models maps each of stream_keys back to its
// model. Malformed entries are returned in `malformed` (to be acknowledged and dropped).
void parse_read_reply(const RedisReply& reply, const std::vector<std::string>& stream_keys,
                      const std::vector<std::string>& stream_models, std::vector<Delivery>* out,
                      std::vector<Delivery>* malformed);

}  // namespace bl
