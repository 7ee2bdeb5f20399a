#pragma once
// A provider adapter turns a job's request into one HTTP call in the provider's wire format and
// the provider's answer into a normalized outcome. Adapters are stateless; adding a provider
// is one new file plus one line in provider_registry.cpp.
//
// The parsers (parse_body, apply_stream_event) are pure functions of the provider's bytes so
// that they can be fuzzed; the shared steps around them (failure classification, cost, the end
// of a stream) live in provider_outcome.cpp.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/http_client.hpp"
#include "core/job_events.hpp"
#include "core/json.hpp"
#include "workers/sse_parser.hpp"

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

// A streamed answer, accumulated event by event.
struct StreamState {
  std::string text;
  JobUsage usage;
  std::string finish_reason;  // normalized, once the provider said why it stopped
  bool complete = false;      // the provider's end-of-stream marker arrived
  std::string error_code;     // a mid-stream error event (our vocabulary)
  bool error_retryable = true;
  std::string error_detail;  // sealed, never logged
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string_view name() const = 0;
  // request: the job's {"messages": [...], "parameters": {...}}. Streams when model.stream.
  virtual Result<HttpCall> build_call(const ModelConfig& model, const JsonValue& request) const = 0;
  // A 2xx non-streaming body; an error when it is not the provider's success shape.
  virtual Result<ProviderOutcome> parse_body(std::string_view body) const = 0;
  // One server-sent event of a streamed answer. Returns whether it carried output (a token,
  // for time to first token and inter-token latency); an error when it is malformed.
  virtual Result<bool> apply_stream_event(const SseEvent& event, StreamState* state) const = 0;
};

// nullptr for an unknown provider name.
const Provider* find_provider(std::string_view name);

// The outcome of a finished non-streaming call: classification of a failure, or the parsed
// body with its cost.
ProviderOutcome parse_result(const Provider& provider, const ModelConfig& model,
                             const HttpCallResult& result);

// Shared classification of a failed call (transport error or non-2xx status): retryable
// (timeouts, connection errors, 408, 409, 425, 429, 5xx, 529) or final (other 4xx, 429
// insufficient_quota). Reads Retry-After (seconds or HTTP date), retry-after-ms and Gemini's
// RetryInfo.retryDelay.
ProviderOutcome classify_failure(const HttpCallResult& result);

// Gemini's google.rpc.RetryInfo retryDelay ("36s", "1.5s") in an error body; -1 when absent.
std::int64_t retry_info_delay_ms(std::string_view body);

// Cost of a call in nano-USD from the registry's prices (per million tokens).
std::int64_t cost_nano_usd(const ModelConfig& model, const JobUsage& usage);

// {"role":"assistant","content":text}
std::string assistant_message_json(std::string_view text);

// Text of a chat message's content: a string, or the text parts of an array of parts.
std::string message_text(const JsonValue& content);

// A chat request's messages as providers with a separate system prompt want them: the system
// (and developer) messages joined, and the other turns as user or assistant text.
struct ChatTurn {
  bool assistant = false;
  std::string text;
};
struct ChatTurns {
  std::string system;
  std::vector<ChatTurn> turns;
};
Result<ChatTurns> split_chat(const JsonValue& request);

// The output limit a request asks for (max_tokens or max_completion_tokens), else fallback.
std::int64_t requested_max_tokens(const JsonValue* parameters, std::int64_t fallback);
// Writes the request's "stop" (a string or a list) as `key`: a list, as Anthropic and Gemini
// want it. Nothing when there is none.
void write_stop_sequences(const JsonValue* parameters, std::string_view key, JsonWriter& w);

}  // namespace bl
