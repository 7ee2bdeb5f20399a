#pragma once
// Reads of the jobs read model, with read-your-writes: a job the projection has not reached
// yet is folded from its stream in the log.

#include <optional>
#include <string>
#include <vector>

#include "core/pg.hpp"
#include "projections/job_row.hpp"

namespace bl {

// The read model's row, if the projection has reached the job.
std::optional<JobRow> find_job_row(pqxx::transaction_base& tx, const Uuid& job);
// The read model's row, or else the job folded from its stream; nullopt when it does not exist.
std::optional<JobRow> read_job(pqxx::transaction_base& tx, const Uuid& job);

struct JobListQuery {
  std::string workspace_id;
  std::optional<JobState> status;
  std::optional<Uuid> batch_id;
  std::optional<Uuid> before;  // newest first: only jobs older than this one
  int limit = 20;
};

struct JobListPage {
  std::vector<JobRow> rows;  // newest first
  bool has_more = false;
};

// One page of a workspace's jobs. Read-your-writes: the jobs this workspace's requests wrote
// after the projection's checkpoint are folded from the log and merged in, so a job is listed
// the moment its submission was answered. `tx` must be REPEATABLE READ, so that the read
// model and the checkpoint come from one snapshot.
JobListPage list_jobs(pqxx::transaction_base& tx, const JobListQuery& query);

}  // namespace bl
