#pragma once
// Reading an optimization run from the log, and appending to its stream together with the
// status column of its index row (table optimizations), in one transaction.

#include <optional>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "core/event_log.hpp"
#include "workers/optimizer/optimization_run.hpp"
#include "workers/optimizer/run_jobs.hpp"

namespace bl {

// A run with its jobs' outcomes and its spend.
struct OptimizationSnapshot {
  OptimizationRun run;
  RunJobOutcomes outcomes;
  JobUsage spend;
};

// Which job outputs a read opens: none (spend and states need none), or those of the current
// phase (what the manager scores or reads proposals from).
enum class JobOutputs { kNone, kCurrentPhase };

// Reads the run's stream and its jobs' terminal events in `tx`; `ring` opens the spec and
// prompts (nullptr: clear fields only), and with it `outputs` says which outputs to open.
// kNotFound when there is no such run.
Result<OptimizationSnapshot> read_optimization(pqxx::transaction_base& tx, const Uuid& run,
                                               const DataKeyring* ring,
                                               JobOutputs outputs = JobOutputs::kNone);

// The workspace that owns the run, or nullopt when there is none.
std::optional<std::string> optimization_workspace(pqxx::transaction_base& tx, const Uuid& run);

// Appends `events` to the run's stream at `expected_version` (0: creates it) plus `extra`
// appends (its jobs, an audit event), and sets the index row's status (empty: unchanged; a new
// run's row is inserted). Events without metadata get the run owner's. Must be the first
// write of `tx`. kVersionConflict when the run moved meanwhile.
Status append_to_run(pqxx::transaction_base& tx, const OptimizationRun& run, int expected_version,
                     std::vector<NewEvent> events, std::vector<StreamAppend> extra,
                     std::string_view new_status);

}  // namespace bl
