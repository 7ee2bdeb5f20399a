#pragma once
// Batch reads and commands shared by the OpenAI and the Anthropic batch APIs. All run on a
// pool thread with its connection. A batch of another workspace, of the other API, or deleted
// is reported exactly like a missing one.

#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/job_events.hpp"
#include "core/pg.hpp"
#include "ingest/batch_creation.hpp"
#include "projections/batch_row.hpp"

namespace bl {

Result<std::optional<BatchRow>> read_batch_for(pqxx::connection& conn, const Uuid& batch,
                                               const std::string& workspace, BatchApi api);

// The batch an identical create made within the dedupe window, if any.
Result<std::optional<BatchRow>> find_deduplicated_batch(pqxx::connection& conn,
                                                        const Config& config,
                                                        const std::string& workspace,
                                                        const std::string& fingerprint,
                                                        BatchApi api);

// Creates the batch (or finds the one an identical concurrent create made) and reads it back.
Result<BatchRow> create_and_read_batch(pqxx::connection& conn, const Config& config,
                                       const BatchCreate& create);

enum class CancelOutcome {
  kRequested,     // BatchCancelRequested appended now
  kAlready,       // cancelling or cancelled already (cancel is idempotent)
  kNotCancelled,  // ended otherwise (completed, failed, expired): 409
  kNotFound,
};

// Appends BatchCancelRequested (and the audit event) when the batch is running.
Result<std::pair<CancelOutcome, std::optional<BatchRow>>> request_batch_cancel(
    pqxx::connection& conn, const Uuid& batch, BatchApi api, const EventMetadata& meta,
    const std::string& audit_action);

// Marks an ended batch deleted and deletes its result files (Anthropic's DELETE).
enum class DeleteOutcome { kDeleted, kNotEnded, kNotFound };
Result<DeleteOutcome> delete_batch(pqxx::connection& conn, const Uuid& batch,
                                   const EventMetadata& meta);

}  // namespace bl
