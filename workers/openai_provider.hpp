#pragma once

#include "workers/provider.hpp"

namespace bl {

// OpenAI-compatible chat completions (OpenAI, vLLM). Azure OpenAI shares the body and the
// parsers and differs in URL and authentication (azure_provider.hpp).
class OpenAiProvider : public Provider {
 public:
  std::string_view name() const override { return "openai"; }
  Result<HttpCall> build_call(const ModelConfig& model, const JsonValue& request) const override;
  Result<ProviderOutcome> parse_body(std::string_view body) const override;
  Result<bool> apply_stream_event(const SseEvent& event, StreamState* state) const override;

 protected:
  // The chat completions body: messages and parameters, plus the streaming options when the
  // model streams.
  static Result<std::string> chat_body(const ModelConfig& model, const JsonValue& request);
};

}  // namespace bl
