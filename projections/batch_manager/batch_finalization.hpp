#pragma once
// The two writes that end a batch, both decided from the log:
//  - stopping: JobCancelled(reason) on every job of the batch still queued, in slices of their
//    own transactions (a slice locks its job streams and re-checks each head, so a result a
//    worker records at the same moment wins or loses cleanly: every job has exactly one
//    terminal event);
//  - finalizing: once every job is terminal, the result files and the final batch event
//    (BatchCompleted, BatchExpired or BatchCancelled) in one transaction, appended at the
//    batch stream's expected version so that it happens once.

#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "projections/batch_manager/batch_jobs.hpp"
#include "projections/batch_row.hpp"

namespace bl {

// Cancels the queued jobs among `jobs`; returns the ids actually cancelled.
Result<std::vector<Uuid>> cancel_queued_jobs(pqxx::connection& conn, const BatchRow& batch,
                                             const std::vector<BatchJob>& jobs,
                                             std::string_view reason);

// The final event type for a batch whose jobs are all terminal.
std::string_view final_event_type(const BatchRow& batch, const std::vector<BatchJob>& jobs);

// Writes the result files and the final event. `jobs` must hold opened results and all be
// terminal. kVersionConflict when the batch moved meanwhile (the caller retries later).
Status finalize_batch(pqxx::connection& conn, const Config& config, const BatchRow& batch,
                      const std::vector<BatchJob>& jobs);

}  // namespace bl
