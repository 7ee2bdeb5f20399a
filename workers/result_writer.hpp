#pragma once
// Group commit of job results: many jobs' events in one transaction, on a database thread.
// Each job's stream is locked and its version checked; a result whose job moved on (a
// duplicate delivery, a cancel that won the race) is dropped, so a result is recorded once.

#include <optional>
#include <string>
#include <vector>

#include "core/job_lifecycle.hpp"
#include "core/outbox_rows.hpp"
#include "core/pg.hpp"
#include "workers/delivery.hpp"

namespace bl {

struct ResultWrite {
  Delivery delivery;
  int expected_version = 0;
  JobEvent event = JobEvent::kSucceeded;
  std::string data;
  std::string metadata;
  std::optional<OutboxRow> retry;  // the next attempt, for JobAttemptFailed
};

// Returns, per item, whether it was recorded (false: dropped as stale). Throws libpqxx
// exceptions; the caller retries the whole batch.
std::vector<bool> write_results(pqxx::connection& conn, const std::vector<ResultWrite>& items);

}  // namespace bl
