// OpenAI-compatible chat completions (OpenAI, vLLM, and the mock): POST {base}/v1/chat/completions
// with Bearer auth; streaming with stream_options.include_usage, ending in "data: [DONE]".

#include "workers/openai_provider.hpp"

namespace bl {
namespace {

std::string normalized_finish(std::string_view reason) {
  if (reason == "function_call") return "tool_calls";
  if (reason == "stop" || reason == "length" || reason == "tool_calls" ||
      reason == "content_filter") {
    return std::string(reason);
  }
  return "error";
}

void read_usage(const JsonValue& u, JobUsage* usage) {
  usage->input_tokens = json_int(u, "prompt_tokens").value_or(0);
  usage->output_tokens = json_int(u, "completion_tokens").value_or(0);
  if (const JsonValue* d = json_member(u, "prompt_tokens_details")) {
    usage->cached_tokens = json_int(*d, "cached_tokens").value_or(0);
  }
}

}  // namespace

Result<std::string> OpenAiProvider::chat_body(const ModelConfig& model, const JsonValue& request) {
  const JsonValue* messages = json_member(request, "messages");
  if (messages == nullptr || !messages->IsArray()) return Error::invalid("request has no messages");
  JsonWriter w;
  w.begin_object();
  w.field("model", model.upstream_model);
  w.key("messages").value(*messages);
  if (const JsonValue* params = json_member(request, "parameters"); params && params->IsObject()) {
    for (auto it = params->MemberBegin(); it != params->MemberEnd(); ++it) {
      const std::string_view key = as_view(it->name);
      if (key == "model" || key == "messages" || key == "stream" || key == "stream_options") {
        continue;
      }
      w.key(key).value(it->value);
    }
  }
  if (model.stream) {
    w.field("stream", true);
    w.key("stream_options").begin_object().field("include_usage", true).end_object();
  }
  w.end_object();
  return w.str();
}

Result<HttpCall> OpenAiProvider::build_call(const ModelConfig& model,
                                            const JsonValue& request) const {
  auto body = chat_body(model, request);
  if (!body.ok()) return body.error();
  HttpCall call;
  call.url = model.base_url + "/v1/chat/completions";
  call.headers = {"Content-Type: application/json"};
  if (!model.api_key.empty()) call.headers.push_back("Authorization: Bearer " + model.api_key);
  call.body = std::move(*body);
  return call;
}

Result<ProviderOutcome> OpenAiProvider::parse_body(std::string_view body) const {
  auto doc = parse_json(body);
  if (!doc.ok() || !doc->IsObject()) return Error::invalid("not a JSON object");
  const JsonValue* choices = json_member(*doc, "choices");
  if (choices == nullptr || !choices->IsArray() || choices->Empty()) {
    return Error::invalid("no choices");
  }
  const JsonValue& choice = (*choices)[0];
  const JsonValue* message = json_member(choice, "message");
  if (message == nullptr || !message->IsObject()) return Error::invalid("no message");
  ProviderOutcome o;
  o.kind = ProviderOutcome::Kind::kSuccess;
  o.output_json = to_json(*message);
  o.finish_reason = normalized_finish(json_string(choice, "finish_reason").value_or("stop"));
  if (const JsonValue* u = json_member(*doc, "usage"); u && u->IsObject()) read_usage(*u, &o.usage);
  return o;
}

Result<bool> OpenAiProvider::apply_stream_event(const SseEvent& event, StreamState* state) const {
  if (event.data == "[DONE]") {
    state->complete = true;
    return false;
  }
  auto doc = parse_json(event.data);
  if (!doc.ok() || !doc->IsObject()) return Error::invalid("chunk is not a JSON object");
  if (const JsonValue* error = json_member(*doc, "error")) {
    state->error_code = "server_error";
    state->error_detail = to_json(*error).substr(0, 2000);
    return false;
  }
  if (const JsonValue* u = json_member(*doc, "usage"); u && u->IsObject()) {
    read_usage(*u, &state->usage);
  }
  bool token = false;
  const JsonValue* choices = json_member(*doc, "choices");
  if (choices != nullptr && choices->IsArray() && !choices->Empty()) {
    const JsonValue& choice = (*choices)[0];
    if (const JsonValue* delta = json_member(choice, "delta"); delta && delta->IsObject()) {
      if (auto content = json_string(*delta, "content"); content && !content->empty()) {
        state->text.append(*content);
        token = true;
      }
    }
    if (auto reason = json_string(choice, "finish_reason")) {
      state->finish_reason = normalized_finish(*reason);
    }
  }
  return token;
}

}  // namespace bl
