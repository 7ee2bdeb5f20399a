#pragma once
// A batch as the read model holds it, and the fold of batch events into it. The projector and
// ingest (read-your-writes, cancel) use the same fold. Counts and usage come from the batch's
// jobs: the projection adds them up; a fold of the batch stream alone leaves them at zero.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/batch_events.hpp"
#include "core/event_log.hpp"

namespace bl {

// OpenAI's statuses. kFinalizing is never stored: a batch whose jobs are all terminal and whose
// result files are not written yet shows it (BatchRow::shown_status).
enum class BatchStatus {
  kNone,
  kValidating,
  kFailed,
  kInProgress,
  kFinalizing,
  kCompleted,
  kExpired,
  kCancelling,
  kCancelled,
};

std::string_view batch_status_name(BatchStatus s);
std::optional<BatchStatus> parse_batch_status(std::string_view name);
bool is_ended(BatchStatus s);  // failed, completed, expired, cancelled

struct BatchRow {
  Uuid batch_id;
  int version = 0;
  std::string org_id;
  std::string workspace_id;
  BatchApi api = BatchApi::kOpenAi;
  BatchStatus status = BatchStatus::kNone;
  std::string endpoint;
  std::string completion_window;
  std::optional<std::string> model;
  std::optional<Uuid> input_file_id;
  std::optional<std::string> metadata_box;  // sealed JSON box
  std::optional<std::string> errors_json;   // {"object":"list","data":[...]}
  std::optional<Uuid> output_file_id;
  std::optional<Uuid> error_file_id;
  BatchCounts counts;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
  std::optional<std::int64_t> in_progress_ms;
  std::optional<std::int64_t> finalizing_ms;
  std::optional<std::int64_t> completed_ms;
  std::optional<std::int64_t> failed_ms;
  std::optional<std::int64_t> expired_ms;
  std::optional<std::int64_t> cancelling_ms;
  std::optional<std::int64_t> cancelled_ms;
  std::optional<std::int64_t> first_result_ms;
  std::optional<std::int64_t> last_result_ms;
  bool deleted = false;

  // The status a client sees: in_progress with every job terminal is finalizing.
  BatchStatus shown_status() const;
};

// Folds one batch event. Events must come in version order; unknown types are skipped.
void fold_batch_event(BatchRow& row, const RecordedEvent& event);

}  // namespace bl
