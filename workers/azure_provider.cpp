// Azure OpenAI (dated API): POST {base}/openai/deployments/{deployment}/chat/completions
// ?api-version={version}, header api-key. The deployment is the model's upstream name.

#include "workers/azure_provider.hpp"

namespace bl {
namespace {

constexpr const char* kDefaultApiVersion = "2024-10-21";

}  // namespace

Result<HttpCall> AzureProvider::build_call(const ModelConfig& model,
                                           const JsonValue& request) const {
  auto body = chat_body(model, request);
  if (!body.ok()) return body.error();
  HttpCall call;
  const std::string& version = model.api_version.empty() ? kDefaultApiVersion : model.api_version;
  call.url = model.base_url + "/openai/deployments/" + model.upstream_model +
             "/chat/completions?api-version=" + version;
  call.headers = {"Content-Type: application/json"};
  if (!model.api_key.empty()) call.headers.push_back("api-key: " + model.api_key);
  call.body = std::move(*body);
  return call;
}

}  // namespace bl
