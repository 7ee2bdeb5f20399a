#pragma once
// A client's command on one job: cancel (JobCancelled), consume (JobConsumed) and
// consume-failed (JobConsumeFailed). One transaction locks the job's stream, checks that the
// job is the caller's (404 otherwise, as for a missing job), checks the state table (409
// naming the current state), appends the event and its CommandAudited event, and records
// the Idempotency-Key answer; the answer is the job as it is afterwards.

#include <optional>
#include <string>

#include "core/crypto.hpp"
#include "core/http_server.hpp"
#include "core/job_events.hpp"
#include "core/job_lifecycle.hpp"
#include "core/pg.hpp"
#include "ingest/idempotency.hpp"

namespace bl {

struct JobCommandOutcome {
  HttpResponse response;
  bool applied = false;
  std::string error_code;  // set when the command was refused (404, 409)
};

// The command's name in audit records: "jobs.cancel", "jobs.consume", "jobs.consume_failed".
std::string_view job_command_action(JobEvent event);

// Runs on a database thread; failures of the database become 503 answers.
JobCommandOutcome apply_job_command(pqxx::connection& conn, const Uuid& job, JobEvent event,
                                    const EventMetadata& caller,
                                    const std::optional<IdempotencyKey>& idempotency,
                                    const DataKeyring& ring);

}  // namespace bl
