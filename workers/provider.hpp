#pragma once
// A provider adapter turns a job's request into one HTTP call in the provider's wire format and
// the provider's answer into a normalized outcome. Adapters are stateless; adding a provider
// is one new file plus one line in provider_registry.cpp.

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/http_client.hpp"
#include "core/job_events.hpp"
#include "core/json.hpp"

namespace bl {

struct ProviderOutcome {
  enum class Kind { kSuccess, kRetryable, kFinal };
  Kind kind = Kind::kFinal;
  // Success.
  std::string output_json;  // {"role":"assistant","content":...}
  JobUsage usage;
  std::string finish_reason;  // stop, length, content_filter, tool_calls, error
  std::int64_t ttft_ms = -1;
  double mean_itl_ms = -1;
  // Failure.
  int http_status = 0;
  std::string error_code;            // our vocabulary, safe to log
  std::string error_detail;          // provider text; sealed, never logged
  std::int64_t retry_after_ms = -1;  // the provider's own hint, when it gave one
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string_view name() const = 0;
  // request: the job's {"messages": [...], "parameters": {...}}.
  virtual Result<HttpCall> build_call(const ModelConfig& model, const JsonValue& request) const = 0;
  virtual ProviderOutcome parse_result(const ModelConfig& model,
                                       const HttpCallResult& result) const = 0;
};

// nullptr for an unknown provider name.
const Provider* find_provider(std::string_view name);

// Shared classification of a failed call (transport error or non-2xx status): retryable
// (timeouts, connection errors, 408, 409, 425, 429, 5xx, 529) or final (other 4xx). Reads
// Retry-After (seconds or HTTP date) and retry-after-ms.
ProviderOutcome classify_failure(const HttpCallResult& result);

// Cost of a call in nano-USD from the registry's prices (per million tokens).
std::int64_t cost_nano_usd(const ModelConfig& model, const JobUsage& usage);

}  // namespace bl
