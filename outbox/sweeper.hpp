#pragma once
// The sweeper: the safety net for deliveries that Redis lost (a restart without persistence,
// FLUSHALL, a failover that dropped the last writes). PostgreSQL holds the truth; the sweeper
// puts back into the outbox every job that the log says is queued but that nothing carries.
//
// The invariant it relies on: a queued job with no outbox row has the delivery marker of its
// current attempt in Redis until a worker has committed the attempt's result. The relay sets
// the marker in the same script as the XADD, before it commits the delete of the row; a
// worker replaces it with an "acked" tombstone only after its result commit. So a queued job
// without an outbox row whose current marker is missing or acked is carried by nobody.
//
// A pass walks queued jobs whose last event is older than sweeper_timeout_ms (jobs read model,
// oldest first, in pages), checks their markers with one pipeline per page, and re-dispatches
// the missing ones: one transaction locks their streams, confirms from the log that each is
// still queued at the version the read model showed and still has no outbox row, and inserts
// an outbox row for the current attempt (an acked tombstone is removed first, or the relay's
// SET NX would take the new delivery for a re-send). A worker recording a result at the same
// moment either committed first (the version check skips the job) or still holds the marker.
//
// One sweeper is active per installation (advisory lock "sweeper", among relay processes). The
// active one also samples the queue gauges, trims acknowledged stream entries and prunes
// finished webhook deliveries past their retention.

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/pg.hpp"
#include "core/queue_keys.hpp"
#include "core/redis.hpp"
#include "core/stop_signal.hpp"
#include "outbox/queue_gauges.hpp"

namespace bl {

struct SweepResult {
  int examined = 0;      // queued, quiet longer than the timeout, without an outbox row
  int lost = 0;          // of those, whose delivery marker was gone
  int redispatched = 0;  // outbox rows inserted (lost and confirmed from the log)
};

class Sweeper {
 public:
  Sweeper(const Config& config, StopSignal& stop);
  ~Sweeper();
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  // Stands by until this process leads, then sweeps every sweeper_interval_ms until stop.
  int run();

  // One full pass (tests call it directly, without leadership).
  Result<SweepResult> sweep_once(pqxx::connection& conn);

 private:
  struct Candidate;
  Result<std::vector<Candidate>> next_page(pqxx::connection& conn, const Candidate* after);
  // Keeps the candidates whose delivery marker is missing or acked.
  Result<std::vector<Candidate>> without_delivery(std::vector<Candidate> page);
  Status clear_acked_markers(const std::vector<Candidate>& jobs);
  Result<int> redispatch(pqxx::connection& conn, const std::vector<Candidate>& lost);
  Status ensure_redis();

  const Config& config_;
  StopSignal& stop_;
  QueueKeys keys_;
  std::unique_ptr<RedisClient> redis_;
  QueueGauges gauges_;
};

}  // namespace bl
