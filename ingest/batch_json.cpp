#include "ingest/batch_json.hpp"

#include <ctime>

#include "core/log.hpp"
#include "core/sealed_json.hpp"
#include "ingest/batch_creation.hpp"

namespace bl {
namespace {

void seconds_field(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& ms) {
  w.key(key);
  if (ms) {
    w.value(*ms / 1000);
  } else {
    w.null();
  }
}

void file_field(JsonWriter& w, std::string_view key, const std::optional<Uuid>& id) {
  w.key(key);
  if (id) {
    w.value(to_api_id(id_prefix::kFile, *id));
  } else {
    w.null();
  }
}

void write_metadata(JsonWriter& w, const BatchRow& b, const DataKeyring& ring) {
  w.key("metadata");
  auto box = b.metadata_box ? parse_json(*b.metadata_box) : Result<JsonDocument>(Error{});
  auto plain = box.ok() ? open_sealed(*box, ring, b.batch_id) : Result<std::string>(Error{});
  if (!plain.ok() || plain->empty()) {
    if (b.metadata_box)
      log::error("batch.metadata_unreadable", {{"batch_id", log::id(b.batch_id.to_string())}});
    w.null();
    return;
  }
  w.raw(*plain);
}

// Batchline's addition: counts per state, and when the batch should end at the current pace.
void write_progress(JsonWriter& w, const BatchRow& b, std::int64_t now_ms) {
  const BatchCounts& c = b.counts;
  const int done = c.total - c.pending;
  w.key("progress").begin_object();
  w.field("total", c.total);
  w.field("pending", c.pending);
  w.field("succeeded", c.succeeded);
  w.field("failed", c.failed);
  w.field("cancelled", c.cancelled);
  w.field("expired", c.expired);
  w.field("retries", c.retries);
  w.field("percent", c.total > 0 ? 100.0 * done / c.total : 0.0);
  std::optional<std::int64_t> eta_s;
  if (b.status == BatchStatus::kInProgress && b.in_progress_ms && done > 0 && c.pending > 0) {
    const double elapsed_ms = static_cast<double>(now_ms - *b.in_progress_ms);
    eta_s = static_cast<std::int64_t>(elapsed_ms / done * c.pending / 1000.0) + 1;
  } else if (b.status == BatchStatus::kInProgress && c.pending == 0 && c.total > 0) {
    eta_s = 0;
  }
  w.optional_field("eta_seconds", eta_s);
  w.key("estimated_completion_at");
  if (eta_s) {
    w.value(now_ms / 1000 + *eta_s);
  } else {
    w.null();
  }
  w.end_object();
}

}  // namespace

std::string rfc3339_ms(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof(out), "%.*s.%03dZ", static_cast<int>(n), buf,
                static_cast<int>(ms % 1000));
  return out;
}

void write_openai_batch_json(JsonWriter& w, const BatchRow& b, const DataKeyring& ring,
                             std::int64_t now_ms) {
  const BatchCounts& c = b.counts;
  w.begin_object();
  w.field("id", batch_api_id(BatchApi::kOpenAi, b.batch_id));
  w.field("object", "batch");
  w.field("endpoint", b.endpoint);
  w.optional_field("model", b.model);
  w.key("errors");
  if (b.errors_json) {
    w.raw(*b.errors_json);
  } else {
    w.null();
  }
  file_field(w, "input_file_id", b.input_file_id);
  w.field("completion_window", b.completion_window);
  w.field("status", batch_status_name(b.shown_status()));
  file_field(w, "output_file_id", b.output_file_id);
  file_field(w, "error_file_id", b.error_file_id);
  w.field("created_at", b.created_ms / 1000);
  seconds_field(w, "in_progress_at", b.in_progress_ms);
  w.field("expires_at", b.expires_ms / 1000);
  const bool finalizing = b.shown_status() == BatchStatus::kFinalizing ||
                          (is_ended(b.status) && b.status != BatchStatus::kFailed);
  seconds_field(w, "finalizing_at", finalizing ? b.finalizing_ms : std::nullopt);
  seconds_field(w, "completed_at", b.completed_ms);
  seconds_field(w, "failed_at", b.failed_ms);
  seconds_field(w, "expired_at", b.expired_ms);
  seconds_field(w, "cancelling_at", b.cancelling_ms);
  seconds_field(w, "cancelled_at", b.cancelled_ms);
  // OpenAI counts requests that never ran (cancelled, expired) as failed.
  w.key("request_counts").begin_object();
  w.field("total", c.total);
  w.field("completed", c.succeeded);
  w.field("failed", c.failed + c.cancelled + c.expired);
  w.end_object();
  w.key("usage").begin_object();
  w.field("input_tokens", c.input_tokens);
  w.key("input_tokens_details").begin_object().field("cached_tokens", c.cached_tokens).end_object();
  w.field("output_tokens", c.output_tokens);
  w.key("output_tokens_details").begin_object().field("reasoning_tokens", 0).end_object();
  w.field("total_tokens", c.input_tokens + c.output_tokens);
  w.end_object();
  write_metadata(w, b, ring);
  write_progress(w, b, now_ms);
  w.end_object();
}

void write_anthropic_batch_json(JsonWriter& w, const BatchRow& b, const std::string& results_base) {
  const BatchCounts& c = b.counts;
  const bool ended = is_ended(b.status);
  w.begin_object();
  w.field("id", batch_api_id(BatchApi::kAnthropic, b.batch_id));
  w.field("type", "message_batch");
  w.field("processing_status", ended                                  ? "ended"
                               : b.status == BatchStatus::kCancelling ? "canceling"
                                                                      : "in_progress");
  w.key("request_counts").begin_object();
  w.field("processing", c.pending);
  w.field("succeeded", c.succeeded);
  w.field("errored", c.failed);
  w.field("canceled", c.cancelled);
  w.field("expired", c.expired);
  w.end_object();
  const std::optional<std::int64_t> ended_ms = b.completed_ms   ? b.completed_ms
                                               : b.cancelled_ms ? b.cancelled_ms
                                                                : b.expired_ms;
  w.key("ended_at");
  if (ended && ended_ms) {
    w.value(rfc3339_ms(*ended_ms));
  } else {
    w.null();
  }
  w.field("created_at", rfc3339_ms(b.created_ms));
  w.field("expires_at", rfc3339_ms(b.expires_ms));
  w.null_field("archived_at");
  w.key("cancel_initiated_at");
  if (b.cancelling_ms) {
    w.value(rfc3339_ms(*b.cancelling_ms));
  } else {
    w.null();
  }
  w.key("results_url");
  if (ended) {
    w.value(results_base + "/v1/messages/batches/" +
            batch_api_id(BatchApi::kAnthropic, b.batch_id) + "/results");
  } else {
    w.null();
  }
  w.end_object();
}

}  // namespace bl
