#pragma once

#include "workers/openai_provider.hpp"

namespace bl {

// Azure OpenAI: the OpenAI body and answers, on a deployment URL with an api-version and the
// api-key header.
class AzureProvider final : public OpenAiProvider {
 public:
  std::string_view name() const override { return "azure"; }
  Result<HttpCall> build_call(const ModelConfig& model, const JsonValue& request) const override;
};

}  // namespace bl
