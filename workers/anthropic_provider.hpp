#pragma once

#include "workers/provider.hpp"

namespace bl {

// Anthropic Messages: POST {base}/v1/messages with x-api-key and anthropic-version.
class AnthropicProvider final : public Provider {
 public:
  std::string_view name() const override { return "anthropic"; }
  Result<HttpCall> build_call(const ModelConfig& model, const JsonValue& request) const override;
  Result<ProviderOutcome> parse_body(std::string_view body) const override;
  Result<bool> apply_stream_event(const SseEvent& event, StreamState* state) const override;
};

}  // namespace bl
