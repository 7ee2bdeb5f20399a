#include "ingest/batch_commands.hpp"

#include "core/batch_events.hpp"
#include "core/event_log.hpp"
#include "core/file_store.hpp"
#include "ingest/command_audit.hpp"
#include "projections/batch_queries.hpp"

namespace bl {
namespace {

bool visible(const std::optional<BatchRow>& row, const std::string& workspace, BatchApi api) {
  return row && !row->deleted && row->workspace_id == workspace && row->api == api;
}

// Appends one batch event and the audit event; kVersionConflict when the batch moved.
Status append_batch_event(pqxx::transaction_base& tx, const BatchRow& row, std::string_view type,
                          const EventMetadata& meta, const CommandAudit& audit) {
  StreamAppend event{row.batch_id,
                     std::string(kBatchStreamType),
                     row.version,
                     {NewEvent{std::string(type), "{}", encode_metadata(meta)}}};
  return append_events(tx, {event, audit_append(audit, meta)});
}

}  // namespace

Result<std::optional<BatchRow>> read_batch_for(pqxx::connection& conn, const Uuid& batch,
                                               const std::string& workspace, BatchApi api) {
  return pg_call([&]() -> Result<std::optional<BatchRow>> {
    pqxx::read_transaction tx(conn);
    auto row = read_batch(tx, batch);
    if (!visible(row, workspace, api)) return std::optional<BatchRow>();
    return row;
  });
}

Result<std::optional<BatchRow>> find_deduplicated_batch(pqxx::connection& conn,
                                                        const Config& config,
                                                        const std::string& workspace,
                                                        const std::string& fingerprint,
                                                        BatchApi api) {
  auto id = pg_call([&]() -> Result<std::optional<Uuid>> {
    pqxx::read_transaction tx(conn);
    return find_recent_create(tx, workspace, fingerprint, config.batch_create_dedupe_s);
  });
  if (!id.ok()) return id.error();
  if (!id->has_value()) return std::optional<BatchRow>();
  return read_batch_for(conn, **id, workspace, api);
}

Result<BatchRow> create_and_read_batch(pqxx::connection& conn, const Config& config,
                                       const BatchCreate& create) {
  auto created = create_batch(conn, config, create);
  if (!created.ok()) return created.error();
  auto row =
      read_batch_for(conn, created->batch_id, create.meta.workspace_id, create.submitted.api);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return Error::internal("a created batch is not readable");
  return std::move(**row);
}

Result<std::pair<CancelOutcome, std::optional<BatchRow>>> request_batch_cancel(
    pqxx::connection& conn, const Uuid& batch, BatchApi api, const EventMetadata& meta,
    const std::string& audit_action) {
  using Out = std::pair<CancelOutcome, std::optional<BatchRow>>;
  const std::string api_id = batch_api_id(api, batch);
  // A lost race with the batch manager (it appended first) is retried on the new version.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto outcome = pg_call([&]() -> Result<Out> {
      pqxx::work tx(conn);
      auto row = read_batch(tx, batch);
      if (!visible(row, meta.workspace_id, api)) return Out{CancelOutcome::kNotFound, {}};
      if (row->status == BatchStatus::kCancelling || row->status == BatchStatus::kCancelled) {
        return Out{CancelOutcome::kAlready, row};
      }
      if (is_ended(row->status)) return Out{CancelOutcome::kNotCancelled, row};
      auto s = append_batch_event(tx, *row, batch_event::kCancelRequested, meta,
                                  {audit_action, "batch", api_id, 200, ""});
      if (!s.ok()) return s.error();
      tx.commit();
      return Out{CancelOutcome::kRequested, {}};
    });
    if (!outcome.ok() && outcome.error().code == ErrorCode::kVersionConflict) continue;
    if (!outcome.ok()) return outcome.error();
    if (outcome->first != CancelOutcome::kRequested) return outcome;
    auto row = read_batch_for(conn, batch, meta.workspace_id, api);
    if (!row.ok()) return row.error();
    return Out{CancelOutcome::kRequested, std::move(*row)};
  }
  return Error{ErrorCode::kUnavailable, "the batch kept changing; retry"};
}

Result<DeleteOutcome> delete_batch(pqxx::connection& conn, const Uuid& batch,
                                   const EventMetadata& meta) {
  const std::string api_id = batch_api_id(BatchApi::kAnthropic, batch);
  return pg_call([&]() -> Result<DeleteOutcome> {
    pqxx::work tx(conn);
    auto row = read_batch(tx, batch);
    if (!visible(row, meta.workspace_id, BatchApi::kAnthropic)) return DeleteOutcome::kNotFound;
    if (!is_ended(row->status)) return DeleteOutcome::kNotEnded;
    auto s = append_batch_event(tx, *row, batch_event::kDeleted, meta,
                                {"message_batches.delete", "batch", api_id, 200, ""});
    if (!s.ok()) return s.error();
    for (const auto& file : {row->output_file_id, row->error_file_id}) {
      if (file) delete_file(tx, *file, meta.workspace_id);
    }
    tx.commit();
    return DeleteOutcome::kDeleted;
  });
}

}  // namespace bl
