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
};

// Parses an XREADGROUP reply into deliveries. model_of_stream maps a stream key back to its
// model. Malformed entries are returned in `malformed` (to be acknowledged and dropped).
void parse_read_reply(const RedisReply& reply, const std::vector<std::string>& stream_keys,
                      const std::vector<std::string>& stream_models, std::vector<Delivery>* out,
                      std::vector<Delivery>* malformed);

}  // namespace bl
