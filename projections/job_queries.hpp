#pragma once
// Reads of the jobs read model, with read-your-writes: a job the projection has not reached
// yet is folded from its stream in the log.

#include <optional>

#include "core/pg.hpp"
#include "projections/job_row.hpp"

namespace bl {

// The read model's row, if the projection has reached the job.
std::optional<JobRow> find_job_row(pqxx::transaction_base& tx, const Uuid& job);
// The read model's row, or else the job folded from its stream; nullopt when it does not exist.
std::optional<JobRow> read_job(pqxx::transaction_base& tx, const Uuid& job);

}  // namespace bl
