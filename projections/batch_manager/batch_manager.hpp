#pragma once
// The batch manager: the process that moves batches to their end (DESIGN.md §6's process
// manager, for batches). One instance in the fleet is the leader (a session advisory lock);
// the others stand by. All its state is in the log, so a crash at any point loses nothing: the
// next leader finds the same work again.
//
// For each batch that is cancelling, past its completion window, or whose jobs are all
// terminal (found through the batches read model, then re-read from the log):
//   cancelling       -> JobCancelled(batch_cancelled) on queued jobs -> BatchCancelled
//   window passed    -> JobCancelled(batch_expired) on queued jobs   -> BatchExpired
//   all jobs ended   -> BatchCompleted
// with the output and error files written in the final event's transaction. Each cancelled job
// id is PUBLISHed on QueueKeys::cancel_channel() after commit, so that workers abort calls in
// flight.

#include <memory>

#include "config/config.hpp"
#include "core/pg.hpp"
#include "core/redis.hpp"
#include "core/stop_signal.hpp"

namespace bl {

class BatchManager {
 public:
  BatchManager(const Config& config, StopSignal& stop);
  ~BatchManager();

  // Leads (or stands by) until stop is requested; returns an exit code.
  int run();

  // One pass over the batches that need work, on `conn`; returns how many were advanced.
  Result<int> advance_once(pqxx::connection& conn);

 private:
  Status advance(pqxx::connection& conn, const Uuid& batch);
  void publish_cancels(const std::vector<Uuid>& jobs);
  void housekeeping(pqxx::connection& conn);

  const Config& config_;
  StopSignal& stop_;
  std::unique_ptr<RedisClient> redis_;
};

}  // namespace bl
