#pragma once
// The LLM calls of an optimization run are ordinary jobs: JobSubmitted plus an outbox row,
// exactly what POST /v1/jobs writes, so they are queued, metered, retried and recovered like
// any job. This file makes those appends and reads back the jobs' outcomes from the log.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/crypto.hpp"
#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "core/job_lifecycle.hpp"
#include "core/outbox_rows.hpp"

namespace bl {

// Background work: the band batches use, below interactive jobs.
inline constexpr int kRunJobPriority = 750;

struct JobSubmissions {
  std::vector<StreamAppend> appends;
  std::vector<OutboxRow> deliveries;
};

// Adds one job as submitted (JobSubmitted's request_json already built).
Uuid add_submitted_job(JobSubmissions* out, const JobSubmitted& job, std::string data,
                       const Uuid& id, const EventMetadata& meta);

// Adds one job (a system message when `system` is not empty, then one user message).
Result<Uuid> add_job(JobSubmissions* out, std::string_view model, std::string_view system,
                     std::string_view user, int max_tokens, const EventMetadata& meta,
                     const DataKeyring& ring);

// A job's terminal outcome. A job with no entry has not ended yet.
struct RunJobOutcome {
  JobState state = JobState::kQueued;  // succeeded, failed or cancelled
  std::string output;                  // the completion's text (opened only with a keyring)
  JobUsage usage;
};
using RunJobOutcomes = std::unordered_map<Uuid, RunJobOutcome, UuidHash>;

// Reads the terminal events of `jobs` (one per job at most: the log's state table allows no
// second), so a job's usage is counted once however often this runs.
Result<RunJobOutcomes> load_job_outcomes(pqxx::transaction_base& tx, const DataKeyring* ring,
                                         const std::vector<Uuid>& jobs);

// The sum of the usage of `jobs` that succeeded.
JobUsage total_usage(const RunJobOutcomes& outcomes, const std::vector<Uuid>& jobs);

}  // namespace bl
