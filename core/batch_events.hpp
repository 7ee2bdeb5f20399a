#pragma once
// The data of each batch event, in one place (as core/job_events.hpp is for jobs). A batch is
// a stream of type "batch":
//
//   BatchSubmitted -> BatchValidated (its jobs are created in the same transaction)
//                  -> BatchFailed    (validation errors; no job was created)
//   BatchValidated -> BatchCancelRequested -> BatchCancelled
//                  -> BatchCompleted | BatchExpired          (written by the batch manager)
//   ended batch    -> BatchDeleted   (Anthropic's DELETE)
//
// Ids, counts, states and codes are clear; the metadata a user attaches is sealed, bound to
// the batch id.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace bl {

inline constexpr std::string_view kBatchStreamType = "batch";

namespace batch_event {
inline constexpr std::string_view kSubmitted = "BatchSubmitted";
inline constexpr std::string_view kValidated = "BatchValidated";
inline constexpr std::string_view kFailed = "BatchFailed";
inline constexpr std::string_view kCancelRequested = "BatchCancelRequested";
inline constexpr std::string_view kCompleted = "BatchCompleted";
inline constexpr std::string_view kExpired = "BatchExpired";
inline constexpr std::string_view kCancelled = "BatchCancelled";
inline constexpr std::string_view kDeleted = "BatchDeleted";
}  // namespace batch_event

// Which API created the batch: it decides ids ("batch_" / "msgbatch_"), object shapes and
// which list shows it.
enum class BatchApi { kOpenAi, kAnthropic };
std::string_view batch_api_name(BatchApi api);
std::optional<BatchApi> parse_batch_api(std::string_view name);

struct BatchSubmitted {
  BatchApi api = BatchApi::kOpenAi;
  std::string endpoint;           // "/v1/chat/completions" or "/v1/messages"
  std::string completion_window;  // "24h"
  std::optional<std::string> model;
  std::optional<Uuid> input_file_id;
  std::int64_t expires_at_ms = 0;
  std::string metadata_json;  // a JSON object or empty; sealed in the event
};

struct BatchValidated {
  int total = 0;
};

struct BatchLineError {
  std::string code;
  std::optional<int> line;  // 1-based line of the input file
  std::string message;      // ours, never quoting the line
  std::optional<std::string> param;
};

struct BatchFailed {
  std::vector<BatchLineError> errors;
};

// What the jobs of a batch add up to: the read model's running figures, and the final ones.
struct BatchCounts {
  int total = 0;
  int pending = 0;  // jobs not terminal yet
  int succeeded = 0;
  int failed = 0;     // failed by the provider
  int cancelled = 0;  // never ran: the batch was cancelled
  int expired = 0;    // never ran: the completion window passed
  int retries = 0;    // attempts that failed and were retried
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t cost_nano_usd = 0;
};

// BatchCompleted, BatchExpired and BatchCancelled carry the same figures.
struct BatchFinalized {
  std::optional<Uuid> output_file_id;
  std::optional<Uuid> error_file_id;
  BatchCounts counts;  // pending is 0
  std::int64_t finalizing_at_ms = 0;
};

Result<std::string> encode(const BatchSubmitted& e, const DataKeyring& ring, const Uuid& batch);
std::string encode(const BatchValidated& e);
std::string encode(const BatchFailed& e);
std::string encode(const BatchFinalized& e);
std::string encode_errors_list(const std::vector<BatchLineError>& errors);  // {"object":"list",..}

// Sealed metadata is opened only when a keyring is given.
Result<BatchSubmitted> decode_batch_submitted(std::string_view data, const DataKeyring* ring,
                                              const Uuid& batch);
Result<BatchValidated> decode_batch_validated(std::string_view data);
Result<BatchFinalized> decode_batch_finalized(std::string_view data);

}  // namespace bl
