#pragma once
// Creating a batch: one transaction appends the batch stream (BatchSubmitted, then
// BatchValidated or BatchFailed), one JobSubmitted per line with its outbox row, the audit
// event, and the create's fingerprint. Nothing of a batch is ever half written, so a batch is
// never left stuck in "validating".
//
// SDKs retry a create without an idempotency key; a create whose body is identical to one
// answered within config.batch_create_dedupe_s returns the batch already created. Concurrent
// identical creates serialize on an advisory lock of their fingerprint.

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/batch_events.hpp"
#include "core/job_events.hpp"
#include "core/pg.hpp"
#include "ingest/job_validation.hpp"

namespace bl {

// Batch work yields to interactive jobs: it is queued in the last priority band.
inline constexpr int kBatchJobPriority = 750;

struct BatchCreate {
  BatchSubmitted submitted;
  EventMetadata meta;       // who asked, in which request
  std::string fingerprint;  // sha256 of the create's body
  std::vector<ValidatedJob> jobs;
  std::vector<BatchLineError> errors;  // non-empty: the batch is recorded as failed
  std::string audit_action;            // "batches.create", "message_batches.create"
};

struct BatchCreated {
  Uuid batch_id;
  bool deduplicated = false;  // an identical create had made it already
};

// A batch created from an identical body within the window, if any.
std::optional<Uuid> find_recent_create(pqxx::transaction_base& tx, const std::string& workspace,
                                       const std::string& fingerprint, int window_s);

Result<BatchCreated> create_batch(pqxx::connection& conn, const Config& config,
                                  const BatchCreate& create);

// The API id of a batch: "batch_<hex>" or "msgbatch_<hex>".
std::string batch_api_id(BatchApi api, const Uuid& batch);

}  // namespace bl
