#pragma once

#include "workers/provider.hpp"

namespace bl {

// Google Gemini generateContent: POST {base}/v1beta/models/{model}:generateContent (streaming:
// :streamGenerateContent?alt=sse) with x-goog-api-key.
class GeminiProvider final : public Provider {
 public:
  std::string_view name() const override { return "gemini"; }
  Result<HttpCall> build_call(const ModelConfig& model, const JsonValue& request) const override;
  Result<ProviderOutcome> parse_body(std::string_view body) const override;
  Result<bool> apply_stream_event(const SseEvent& event, StreamState* state) const override;
};

}  // namespace bl
