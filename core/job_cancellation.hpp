#pragma once
// Cancels jobs that are still queued on behalf of a process manager (batch manager,
// optimization manager): JobCancelled(reason) on each, in slices of their own transactions. A
// slice locks its job streams first and re-checks each head, so a result a worker records at
// the same moment wins or loses cleanly (every job has exactly one terminal event), and deletes
// the cancelled jobs' outbox rows.

#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "core/job_events.hpp"
#include "core/pg.hpp"

namespace bl {

// Returns the ids actually cancelled (jobs that had already ended are skipped).
Result<std::vector<Uuid>> cancel_queued_job_streams(pqxx::connection& conn,
                                                    const std::vector<Uuid>& jobs,
                                                    std::string_view reason,
                                                    const EventMetadata& metadata);

}  // namespace bl
