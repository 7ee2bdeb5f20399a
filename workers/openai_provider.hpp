#pragma once

#include "workers/provider.hpp"

namespace bl {

class OpenAiProvider final : public Provider {
 public:
  std::string_view name() const override { return "openai"; }
  Result<HttpCall> build_call(const ModelConfig& model, const JsonValue& request) const override;
  ProviderOutcome parse_result(const ModelConfig& model, const HttpCallResult& r) const override;
};

}  // namespace bl
