#include "ingest/batch_creation.hpp"

#include <cstring>

#include "core/event_log.hpp"
#include "core/job_lifecycle.hpp"
#include "core/outbox_rows.hpp"
#include "ingest/command_audit.hpp"
#include "projections/batch_manager/batch_jobs.hpp"

namespace bl {
namespace {

// Jobs are inserted in slices so that no statement carries the whole batch.
constexpr std::size_t kInsertSlice = 2000;

std::int64_t fingerprint_lock_key(const std::string& workspace, const std::string& fingerprint) {
  const std::string h = sha256(workspace + '\0' + fingerprint);
  std::int64_t key = 0;
  std::memcpy(&key, h.data(), sizeof(key));
  return key;
}

Status insert_jobs(pqxx::transaction_base& tx, const DataKeyring& ring, const BatchCreate& c,
                   const Uuid& batch) {
  EventMetadata meta = c.meta;
  meta.correlation_id = batch;
  const std::string metadata = encode_metadata(meta);
  const std::vector<Uuid> ids = sequential_job_ids(c.jobs.size());
  for (std::size_t first = 0; first < c.jobs.size(); first += kInsertSlice) {
    const std::size_t last = std::min(c.jobs.size(), first + kInsertSlice);
    std::vector<StreamAppend> appends;
    std::vector<OutboxRow> deliveries;
    appends.reserve(last - first);
    deliveries.reserve(last - first);
    for (std::size_t i = first; i < last; ++i) {
      const ValidatedJob& job = c.jobs[i];
      JobSubmitted e;
      e.model = job.model;
      e.priority = kBatchJobPriority;
      e.batch_id = batch;
      e.custom_id = job.custom_id;
      e.max_tokens = job.max_tokens;
      e.request_json = job.request_json;
      auto data = encode(e, ring, ids[i]);
      if (!data.ok()) return data.error();
      appends.push_back(StreamAppend{ids[i],
                                     std::string(kJobStreamType),
                                     0,
                                     {NewEvent{std::string(job_event_type(JobEvent::kSubmitted)),
                                               std::move(*data), metadata}}});
      deliveries.push_back(OutboxRow{ids[i], job.model, 1, kBatchJobPriority, 0});
    }
    if (insert_events(tx, appends) != appends.size()) {
      return Error{ErrorCode::kVersionConflict, "a job id of the batch exists already"};
    }
    insert_outbox_rows(tx, deliveries);
  }
  return {};
}

}  // namespace

std::string batch_api_id(BatchApi api, const Uuid& batch) {
  return to_api_id(api == BatchApi::kAnthropic ? id_prefix::kMessageBatch : id_prefix::kBatch,
                   batch);
}

std::optional<Uuid> find_recent_create(pqxx::transaction_base& tx, const std::string& workspace,
                                       const std::string& fingerprint, int window_s) {
  if (window_s <= 0) return std::nullopt;
  const auto rows = tx.exec_params(
      "SELECT batch_id::text FROM batch_creates WHERE workspace_id = $1 AND body_sha256 = $2"
      " AND created_at > now() - make_interval(secs => $3)",
      workspace, pqxx::binarystring(fingerprint), window_s);
  if (rows.empty()) return std::nullopt;
  return Uuid::parse(pg_view(rows[0][0]));
}

Result<BatchCreated> create_batch(pqxx::connection& conn, const Config& config,
                                  const BatchCreate& c) {
  return pg_call([&]() -> Result<BatchCreated> {
    pqxx::work tx(conn);
    const int window = config.batch_create_dedupe_s;
    if (window > 0) {
      tx.exec_params("SELECT pg_advisory_xact_lock($1)",
                     fingerprint_lock_key(c.meta.workspace_id, c.fingerprint));
      if (auto existing = find_recent_create(tx, c.meta.workspace_id, c.fingerprint, window)) {
        return BatchCreated{*existing, true};
      }
    }
    const Uuid batch = Uuid::generate_v7();
    auto submitted = encode(c.submitted, config.keyring, batch);
    if (!submitted.ok()) return submitted.error();
    const std::string metadata = encode_metadata(c.meta);
    StreamAppend stream{batch,
                        std::string(kBatchStreamType),
                        0,
                        {NewEvent{std::string(batch_event::kSubmitted), *submitted, metadata}}};
    if (c.errors.empty()) {
      stream.events.push_back(NewEvent{std::string(batch_event::kValidated),
                                       encode(BatchValidated{static_cast<int>(c.jobs.size())}),
                                       metadata});
    } else {
      stream.events.push_back(
          NewEvent{std::string(batch_event::kFailed), encode(BatchFailed{c.errors}), metadata});
    }
    const int count = c.errors.empty() ? static_cast<int>(c.jobs.size()) : 0;
    StreamAppend audit = audit_append(
        {c.audit_action, "batch", batch_api_id(c.submitted.api, batch), 200, "", count}, c.meta);
    if (auto s = append_events(tx, {stream, audit}); !s.ok()) return s.error();
    if (window > 0) {
      tx.exec_params(
          "INSERT INTO batch_creates (workspace_id, body_sha256, batch_id) VALUES ($1, $2, $3)"
          " ON CONFLICT (workspace_id, body_sha256) DO UPDATE SET batch_id = EXCLUDED.batch_id,"
          " created_at = now()",
          c.meta.workspace_id, pqxx::binarystring(c.fingerprint), batch.to_string());
    }
    if (c.errors.empty()) {
      if (auto s = insert_jobs(tx, config.keyring, c, batch); !s.ok()) return s.error();
    }
    tx.commit();
    return BatchCreated{batch, false};
  });
}

}  // namespace bl
