#pragma once
// The data of each job event, in one place: ingest and workers encode, projections and
// readers decode. Ids, states, model names, figures and codes are clear; anything a user
// typed or a model wrote (request, completion, provider error text) is sealed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "core/result.hpp"

namespace bl {

inline constexpr std::string_view kJobStreamType = "job";

// events.metadata: who caused an event and in which request; never content.
struct EventMetadata {
  std::string org_id;
  std::string workspace_id;
  std::string key_id;
  std::string request_id;
  std::optional<Uuid> correlation_id;  // the batch, for batch jobs
};
std::string encode_metadata(const EventMetadata& m);
EventMetadata decode_metadata(std::string_view json);

struct JobUsage {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t cost_nano_usd = 0;
};

struct JobSubmitted {
  std::string model;
  int priority = 500;
  std::optional<Uuid> batch_id;
  std::optional<std::string> custom_id;
  std::optional<Uuid> conversation_id;
  // The worker prepends the conversation's earlier messages (projections/conversation_context).
  bool use_history = false;
  int max_tokens = 0;  // clear: rate limiters estimate tokens from it
  // Plaintext JSON {"messages": [...], "parameters": {...}}; sealed in the event.
  std::string request_json;
  // Plaintext JSON the client attached to the job (empty: none); sealed in the event.
  std::string client_reference_json;
};

struct JobSucceeded {
  int attempt = 1;
  std::string worker;
  std::int64_t started_at_ms = 0;
  std::int64_t finished_at_ms = 0;
  std::int64_t latency_ms = 0;
  std::int64_t ttft_ms = -1;  // streaming only
  double mean_itl_ms = -1;    // streaming only
  JobUsage usage;
  std::string finish_reason;  // normalized: stop, length, content_filter, tool_calls, error
  int http_status = 200;
  // Plaintext JSON of the assistant message {"role":"assistant","content":...}; sealed.
  std::string output_json;
};

struct JobError {
  std::string code;  // our vocabulary: rate_limited, server_error, timeout, invalid_request...
  int http_status = 0;
  std::string detail;  // provider's error text; sealed (it may quote the prompt)
};

struct JobAttemptFailed {
  int attempt = 1;
  JobError error;
  std::int64_t retry_at_ms = 0;
  std::int64_t latency_ms = 0;
};

struct JobFailed {
  int attempt = 1;
  JobError error;
};

struct JobCancelled {
  std::string reason = "client";  // client | batch_cancelled | batch_expired
};

// Encoders seal content with the active key, bound to the job id.
Result<std::string> encode(const JobSubmitted& e, const DataKeyring& ring, const Uuid& job);
Result<std::string> encode(const JobSucceeded& e, const DataKeyring& ring, const Uuid& job);
Result<std::string> encode(const JobAttemptFailed& e, const DataKeyring& ring, const Uuid& job);
Result<std::string> encode(const JobFailed& e, const DataKeyring& ring, const Uuid& job);
std::string encode(const JobCancelled& e);

// Decoders open sealed content only when a keyring is given; otherwise the plaintext fields
// stay empty (projections that need no content never decrypt).
Result<JobSubmitted> decode_job_submitted(std::string_view data, const DataKeyring* ring,
                                          const Uuid& job);
Result<JobSucceeded> decode_job_succeeded(std::string_view data, const DataKeyring* ring,
                                          const Uuid& job);
Result<JobAttemptFailed> decode_job_attempt_failed(std::string_view data, const DataKeyring* ring,
                                                   const Uuid& job);
Result<JobFailed> decode_job_failed(std::string_view data, const DataKeyring* ring,
                                    const Uuid& job);

}  // namespace bl
