// Anthropic Messages. System messages of the chat request become the top-level "system";
// max_tokens is required (the request's, else the model's max_output_tokens). Streaming events:
// message_start (input usage), content_block_delta (text), message_delta (stop reason and the
// cumulative output usage), message_stop; an "error" event is a mid-stream failure.

#include "workers/anthropic_provider.hpp"

namespace bl {
namespace {

constexpr const char* kDefaultVersion = "2023-06-01";

std::string normalized_stop(std::string_view reason) {
  if (reason == "end_turn" || reason == "stop_sequence" || reason == "pause_turn") return "stop";
  if (reason == "max_tokens" || reason == "model_context_window_exceeded") return "length";
  if (reason == "tool_use") return "tool_calls";
  if (reason == "refusal") return "content_filter";
  return "error";
}

void read_usage(const JsonValue& u, JobUsage* usage) {
  // Anthropic counts cached input apart from input_tokens; ours is the whole prompt.
  const std::int64_t read = json_int(u, "cache_read_input_tokens").value_or(0);
  const std::int64_t created = json_int(u, "cache_creation_input_tokens").value_or(0);
  if (auto in = json_int(u, "input_tokens")) usage->input_tokens = *in + read + created;
  if (json_member(u, "cache_read_input_tokens") != nullptr) usage->cached_tokens = read;
  if (auto out = json_int(u, "output_tokens")) usage->output_tokens = *out;
}

void write_parameters(const ModelConfig& model, const JsonValue* params, JsonWriter& w) {
  if (params != nullptr && params->IsObject()) {
    for (const char* name :
         {"temperature", "top_p", "top_k", "metadata", "tools", "tool_choice", "stop_sequences"}) {
      if (const JsonValue* v = json_member(*params, name)) w.key(name).value(*v);
    }
    if (json_member(*params, "stop_sequences") == nullptr) {
      write_stop_sequences(params, "stop_sequences", w);
    }
  }
  w.field("max_tokens", requested_max_tokens(params, model.max_output_tokens));
}

}  // namespace

Result<HttpCall> AnthropicProvider::build_call(const ModelConfig& model,
                                               const JsonValue& request) const {
  auto chat = split_chat(request);
  if (!chat.ok()) return chat.error();
  JsonWriter w;
  w.begin_object();
  w.field("model", model.upstream_model);
  w.key("messages").begin_array();
  for (const ChatTurn& t : chat->turns) {
    w.begin_object().field("role", t.assistant ? "assistant" : "user");
    w.field("content", t.text).end_object();
  }
  w.end_array();
  if (!chat->system.empty()) w.field("system", chat->system);
  write_parameters(model, json_member(request, "parameters"), w);
  if (model.stream) w.field("stream", true);
  w.end_object();
  HttpCall call;
  call.url = model.base_url + "/v1/messages";
  call.headers = {"Content-Type: application/json",
                  "anthropic-version: " + (model.api_version.empty() ? std::string(kDefaultVersion)
                                                                     : model.api_version)};
  if (!model.api_key.empty()) call.headers.push_back("x-api-key: " + model.api_key);
  call.body = w.str();
  return call;
}

Result<ProviderOutcome> AnthropicProvider::parse_body(std::string_view body) const {
  auto doc = parse_json(body);
  if (!doc.ok() || !doc->IsObject()) return Error::invalid("not a JSON object");
  if (json_string(*doc, "type").value_or("") != "message") return Error::invalid("not a message");
  const JsonValue* content = json_member(*doc, "content");
  if (content == nullptr || !content->IsArray()) return Error::invalid("no content");
  std::string text;
  for (const auto& block : content->GetArray()) {
    if (json_string(block, "type").value_or("") == "text") {
      text += json_string(block, "text").value_or("");
    }
  }
  ProviderOutcome o;
  o.kind = ProviderOutcome::Kind::kSuccess;
  o.output_json = assistant_message_json(text);
  o.finish_reason = normalized_stop(json_string(*doc, "stop_reason").value_or("end_turn"));
  if (const JsonValue* u = json_member(*doc, "usage"); u && u->IsObject()) read_usage(*u, &o.usage);
  return o;
}

Result<bool> AnthropicProvider::apply_stream_event(const SseEvent& event,
                                                   StreamState* state) const {
  auto doc = parse_json(event.data);
  if (!doc.ok() || !doc->IsObject()) return Error::invalid("event is not a JSON object");
  const std::string_view type = json_string(*doc, "type").value_or(event.event);
  if (type == "message_start") {
    const JsonValue* message = json_member(*doc, "message");
    const JsonValue* u = message ? json_member(*message, "usage") : nullptr;
    if (u != nullptr && u->IsObject()) read_usage(*u, &state->usage);
  } else if (type == "content_block_delta") {
    const JsonValue* delta = json_member(*doc, "delta");
    if (delta == nullptr || !delta->IsObject()) return Error::invalid("delta without body");
    if (auto text = json_string(*delta, "text"); text && !text->empty()) {
      state->text.append(*text);
      return true;
    }
  } else if (type == "message_delta") {
    if (const JsonValue* delta = json_member(*doc, "delta")) {
      if (auto reason = json_string(*delta, "stop_reason")) {
        state->finish_reason = normalized_stop(*reason);
      }
    }
    // Cumulative: the last message_delta carries the whole output count.
    if (const JsonValue* u = json_member(*doc, "usage"); u && u->IsObject()) {
      read_usage(*u, &state->usage);
    }
  } else if (type == "message_stop") {
    state->complete = true;
  } else if (type == "error") {
    const JsonValue* error = json_member(*doc, "error");
    const std::string_view kind = error ? json_string(*error, "type").value_or("") : "";
    state->error_code = kind == "overloaded_error" ? "overloaded" : "server_error";
    state->error_retryable = kind != "invalid_request_error";
    state->error_detail = error ? to_json(*error).substr(0, 2000) : std::string();
  }
  return false;  // ping, content_block_start/stop and unknown events carry no output
}

}  // namespace bl
