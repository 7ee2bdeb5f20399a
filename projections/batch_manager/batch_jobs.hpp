#pragma once
// The jobs of one batch, read from the event log itself (not from a read model): the batch
// manager decides and writes results from the truth. Content (completions, provider error
// text, requests) is opened only when asked for.

#include <optional>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "core/job_events.hpp"
#include "core/job_lifecycle.hpp"
#include "core/pg.hpp"

namespace bl {

struct BatchJob {
  Uuid job_id;
  int version = 0;  // the stream's head
  JobState state = JobState::kNone;
  std::string custom_id;
  std::string model;
  int max_tokens = 0;
  EventMetadata metadata;  // of JobSubmitted
  std::int64_t finished_ms = 0;
  std::optional<JobSucceeded> succeeded;
  std::optional<JobFailed> failed;
  std::string cancel_reason;  // client | batch_cancelled | batch_expired
  std::string request_json;   // only with BatchJobContent::kRequests
};

enum class BatchJobContent {
  kNone,      // states and figures only
  kResults,   // open completions and provider error text
  kRequests,  // open the submitted requests as well
};

// Every job of the batch, in line order (job ids are made in line order). Must run inside a
// transaction on the caller's connection.
Result<std::vector<BatchJob>> load_batch_jobs(pqxx::transaction_base& tx, const DataKeyring& ring,
                                              const Uuid& batch, BatchJobContent content);

// Ids for the jobs of one batch, in line order: a random UUIDv7 plus the line index, so that
// ordering by id gives the input order and ids stay unique.
std::vector<Uuid> sequential_job_ids(std::size_t count);

}  // namespace bl
