// OpenAI-compatible chat completions (OpenAI, vLLM, and the mock): POST {base}/v1/chat/completions
// with Bearer auth.

#include "workers/openai_provider.hpp"

namespace bl {

Result<HttpCall> OpenAiProvider::build_call(const ModelConfig& model,
                                            const JsonValue& request) const {
  const JsonValue* messages = json_member(request, "messages");
  if (messages == nullptr || !messages->IsArray()) return Error::invalid("request has no messages");
  JsonWriter w;
  w.begin_object();
  w.field("model", model.upstream_model);
  w.key("messages").value(*messages);
  if (const JsonValue* params = json_member(request, "parameters"); params && params->IsObject()) {
    for (auto it = params->MemberBegin(); it != params->MemberEnd(); ++it) {
      const std::string_view key = as_view(it->name);
      if (key == "model" || key == "messages" || key == "stream") continue;
      w.key(key).value(it->value);
    }
  }
  w.end_object();
  HttpCall call;
  call.url = model.base_url + "/v1/chat/completions";
  call.headers = {"Content-Type: application/json"};
  if (!model.api_key.empty()) call.headers.push_back("Authorization: Bearer " + model.api_key);
  call.body = w.str();
  return call;
}

ProviderOutcome OpenAiProvider::parse_result(const ModelConfig& model,
                                             const HttpCallResult& r) const {
  if (!r.transport_ok() || r.status < 200 || r.status >= 300) return classify_failure(r);
  ProviderOutcome o;
  o.http_status = static_cast<int>(r.status);
  auto doc = parse_json(r.body);
  const JsonValue* choices = doc.ok() ? json_member(*doc, "choices") : nullptr;
  if (!doc.ok() || choices == nullptr || !choices->IsArray() || choices->Empty()) {
    o.kind = ProviderOutcome::Kind::kRetryable;
    o.error_code = "malformed_response";
    return o;
  }
  const JsonValue& choice = (*choices)[0];
  const JsonValue* message = json_member(choice, "message");
  if (message == nullptr || !message->IsObject()) {
    o.kind = ProviderOutcome::Kind::kRetryable;
    o.error_code = "malformed_response";
    return o;
  }
  o.kind = ProviderOutcome::Kind::kSuccess;
  o.output_json = to_json(*message);
  const std::string reason(json_string(choice, "finish_reason").value_or("stop"));
  o.finish_reason = reason;
  if (const JsonValue* u = json_member(*doc, "usage")) {
    o.usage.input_tokens = json_int(*u, "prompt_tokens").value_or(0);
    o.usage.output_tokens = json_int(*u, "completion_tokens").value_or(0);
    if (const JsonValue* d = json_member(*u, "prompt_tokens_details")) {
      o.usage.cached_tokens = json_int(*d, "cached_tokens").value_or(0);
    }
  }
  o.usage.cost_nano_usd = cost_nano_usd(model, o.usage);
  return o;
}

}  // namespace bl
