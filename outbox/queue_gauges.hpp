#pragma once
// Gauges of the outbox and the queues, sampled by the active sweeper (so a fleet reports each
// figure once):
//   bl_outbox_depth{kind}                 rows waiting, due or not
//   bl_outbox_oldest_due_seconds{kind}    how long the oldest due row has waited (0: none)
//   bl_queue_length{model,band}           entries in the stream
//   bl_queue_pending{model,band}          entries delivered to a worker and not acknowledged
// Each sample also trims acknowledged entries that a lost XDEL left behind
// (outbox/stream_trim.hpp), so streams stay bounded by what is waiting or in flight.

#include <memory>

#include "config/config.hpp"
#include "core/pg.hpp"
#include "core/queue_keys.hpp"
#include "core/redis.hpp"

namespace bl {

class QueueGauges {
 public:
  explicit QueueGauges(const Config& config);
  ~QueueGauges();

  // Best effort: a failure leaves the previous values and is logged once per run of failures.
  void sample(pqxx::connection& conn);

 private:
  Status sample_outbox(pqxx::connection& conn);
  Status sample_streams();

  const Config& config_;
  QueueKeys keys_;
  std::unique_ptr<RedisClient> redis_;
  bool failing_ = false;
};

}  // namespace bl
