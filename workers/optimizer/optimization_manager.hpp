#pragma once
// The optimization manager: DESIGN.md §6's process manager for optimization runs (and for
// job chains, which have the same shape). One
// instance in the fleet leads (session advisory lock "optimization-manager"); the others stand
// by and take over when the leader's session ends. It wakes on NOTIFY bl_events (any job
// result) and every optimization_manager_poll_ms, and for each running or cancelling run reads
// the run's stream and its jobs' outcomes, decides the next step (next_step.hpp) and appends it
// at the run's expected version in one transaction with the jobs it submits. All state is in
// the log: a manager killed at any point leaves nothing half-done, and the next leader decides
// the same step again.

#include "config/config.hpp"
#include "core/pg.hpp"
#include "core/stop_signal.hpp"

namespace bl {

class OptimizationManager {
 public:
  OptimizationManager(const Config& config, StopSignal& stop);

  // Leads (or stands by) until stop is requested; returns an exit code.
  int run();

  // One pass over the runs that need work, on `conn`; returns how many steps were written.
  Result<int> advance_once(pqxx::connection& conn);

 private:
  // Writes the run's steps until it has to wait; returns how many were written.
  Result<int> advance(pqxx::connection& conn, const Uuid& run);
  // The same for a job chain (job_chain.hpp).
  Result<int> advance_chain(pqxx::connection& conn, const Uuid& chain);

  const Config& config_;
  StopSignal& stop_;
};

}  // namespace bl
