#include "projections/batch_manager/batch_finalization.hpp"

#include <algorithm>
#include <chrono>

#include "core/event_log.hpp"
#include "core/file_store.hpp"
#include "core/job_cancellation.hpp"
#include "projections/batch_manager/batch_results.hpp"

namespace bl {
namespace {

constexpr std::int64_t kOutputFileTtlMs = 30LL * 86400 * 1000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

EventMetadata batch_metadata(const BatchRow& batch) {
  EventMetadata m;
  m.org_id = batch.org_id;
  m.workspace_id = batch.workspace_id;
  m.key_id = "batch-manager";
  m.correlation_id = batch.batch_id;
  return m;
}

BatchFinalized figures(const BatchRow& batch, const std::vector<BatchJob>& jobs) {
  BatchFinalized f;
  BatchCounts& c = f.counts;
  c.total = static_cast<int>(jobs.size());
  c.retries = batch.counts.retries;
  std::int64_t last_finished = 0;
  for (const auto& j : jobs) {
    last_finished = std::max(last_finished, j.finished_ms);
    if (j.succeeded) {
      ++c.succeeded;
      c.input_tokens += j.succeeded->usage.input_tokens;
      c.output_tokens += j.succeeded->usage.output_tokens;
      c.cached_tokens += j.succeeded->usage.cached_tokens;
      c.cost_nano_usd += j.succeeded->usage.cost_nano_usd;
    } else if (j.failed) {
      ++c.failed;
    } else if (j.cancel_reason == "batch_expired") {
      ++c.expired;
    } else {
      ++c.cancelled;
    }
  }
  f.finalizing_at_ms = batch.finalizing_ms.value_or(last_finished > 0 ? last_finished : now_ms());
  return f;
}

Status store_output(pqxx::transaction_base& tx, const Config& config, const BatchRow& batch,
                    const std::string& content, std::string_view suffix,
                    const std::optional<Uuid>& id) {
  if (!id) return {};
  NewFile file;
  file.file_id = *id;
  file.org_id = batch.org_id;
  file.workspace_id = batch.workspace_id;
  file.purpose = std::string(file_purpose::kBatchOutput);
  file.filename = to_api_id(id_prefix::kBatch, batch.batch_id) + std::string(suffix);
  file.batch_id = batch.batch_id;
  file.expires_at_ms = now_ms() + kOutputFileTtlMs;
  return insert_file(tx, config.keyring, file, content);
}

std::optional<Uuid> id_if_any(const std::string& content) {
  return content.empty() ? std::nullopt : std::optional<Uuid>(Uuid::generate_v7());
}

}  // namespace

Result<std::vector<Uuid>> cancel_queued_jobs(pqxx::connection& conn, const BatchRow& batch,
                                             const std::vector<BatchJob>& jobs,
                                             std::string_view reason) {
  std::vector<Uuid> queued;
  for (const auto& j : jobs) {
    if (j.state == JobState::kQueued) queued.push_back(j.job_id);
  }
  return cancel_queued_job_streams(conn, queued, reason, batch_metadata(batch));
}

std::string_view final_event_type(const BatchRow& batch, const std::vector<BatchJob>& jobs) {
  if (batch.status == BatchStatus::kCancelling) return batch_event::kCancelled;
  for (const auto& j : jobs) {
    if (!j.succeeded && !j.failed && j.cancel_reason == "batch_expired") {
      return batch_event::kExpired;
    }
  }
  return batch_event::kCompleted;
}

Status finalize_batch(pqxx::connection& conn, const Config& config, const BatchRow& batch,
                      const std::vector<BatchJob>& jobs) {
  std::string output;
  std::string errors;
  for (const auto& j : jobs) {
    if (!is_terminal(j.state)) return Error::conflict("a job of the batch is not terminal");
    if (batch.api == BatchApi::kAnthropic) {
      append_anthropic_result_line(j, &output);
    } else {
      append_openai_result_line(j, &output, &errors);
    }
  }
  BatchFinalized f = figures(batch, jobs);
  const std::string_view type = final_event_type(batch, jobs);
  f.output_file_id = id_if_any(output);
  f.error_file_id = id_if_any(errors);
  const std::string_view output_suffix =
      batch.api == BatchApi::kAnthropic ? "_results.jsonl" : "_output.jsonl";
  return pg_call([&]() -> Status {
    pqxx::work tx(conn);
    // The batch stream's lock and version check are the first write; a second finalizer
    // loses here.
    StreamAppend end{
        batch.batch_id,
        std::string(kBatchStreamType),
        batch.version,
        {NewEvent{std::string(type), encode(f), encode_metadata(batch_metadata(batch))}}};
    if (auto s = append_events(tx, {end}); !s.ok()) return s;
    if (auto s = store_output(tx, config, batch, output, output_suffix, f.output_file_id);
        !s.ok()) {
      return s;
    }
    if (auto s = store_output(tx, config, batch, errors, "_error.jsonl", f.error_file_id);
        !s.ok()) {
      return s;
    }
    tx.commit();
    return {};
  });
}

}  // namespace bl
