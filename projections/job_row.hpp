#pragma once
// A job as the read model holds it, and the fold of job events into it. The projector folds
// pages of events into rows; ingest folds a single stream when the read model has not caught
// up yet (read-your-writes). One fold, so both always agree.

#include <cstdint>
#include <optional>
#include <string>

#include "core/event_log.hpp"
#include "core/ids.hpp"
#include "core/job_lifecycle.hpp"

namespace bl {

struct JobRow {
  Uuid job_id;
  int version = 0;  // last stream version folded in
  // Set by JobSubmitted (absent when a page starts after it).
  std::optional<std::string> org_id;
  std::optional<std::string> workspace_id;
  std::optional<Uuid> batch_id;
  std::optional<std::string> custom_id;
  std::optional<std::string> model;
  std::optional<int> priority;
  std::optional<std::int64_t> created_ms;
  std::optional<Uuid> conversation_id;
  std::optional<std::string> client_reference_box;  // sealed box JSON, opened for the owner
  // Changed by later events.
  JobState status = JobState::kNone;
  int attempts = 0;
  std::int64_t updated_ms = 0;
  std::optional<std::int64_t> started_ms;
  std::optional<std::int64_t> finished_ms;
  std::optional<std::int64_t> input_tokens;
  std::optional<std::int64_t> output_tokens;
  std::optional<std::int64_t> cached_tokens;
  std::optional<std::int64_t> latency_ms;
  std::optional<std::string> finish_reason;
  std::optional<std::string> result_json;       // JobSucceeded data: sealed output, clear figures
  std::optional<std::string> error_json;        // {"code", "http_status", "detail": sealed}
  std::optional<std::int64_t> acknowledged_ms;  // JobConsumed / JobConsumeFailed
};

// Folds one job event into row. Events must come in version order; unknown types are skipped.
void fold_job_event(JobRow& row, const RecordedEvent& event);

}  // namespace bl
