// Google Gemini. Chat messages become "contents" (assistant -> "model"), system messages the
// systemInstruction, parameters the generationConfig. A streamed answer is a sequence of whole
// GenerateContentResponse objects; the last carries finishReason and the usage.

#include "workers/gemini_provider.hpp"

namespace bl {
namespace {

std::string normalized_finish(std::string_view reason) {
  if (reason == "STOP") return "stop";
  if (reason == "MAX_TOKENS") return "length";
  if (reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" ||
      reason == "PROHIBITED_CONTENT" || reason == "SPII" || reason == "IMAGE_SAFETY") {
    return "content_filter";
  }
  return "error";
}

void read_usage(const JsonValue& u, JobUsage* usage) {
  usage->input_tokens = json_int(u, "promptTokenCount").value_or(0);
  // Thinking tokens are billed as output.
  usage->output_tokens = json_int(u, "candidatesTokenCount").value_or(0) +
                         json_int(u, "thoughtsTokenCount").value_or(0);
  usage->cached_tokens = json_int(u, "cachedContentTokenCount").value_or(0);
}

void write_text_parts(JsonWriter& w, std::string_view text) {
  w.key("parts").begin_array().begin_object().field("text", text).end_object().end_array();
}

void write_generation_config(const ModelConfig& model, const JsonValue* params, JsonWriter& w) {
  w.key("generationConfig").begin_object();
  if (params != nullptr && params->IsObject()) {
    const std::pair<const char*, const char*> renames[] = {
        {"temperature", "temperature"}, {"top_p", "topP"}, {"top_k", "topK"}, {"seed", "seed"}};
    for (const auto& [ours, theirs] : renames) {
      if (const JsonValue* v = json_member(*params, ours)) w.key(theirs).value(*v);
    }
  }
  write_stop_sequences(params, "stopSequences", w);
  w.field("maxOutputTokens", requested_max_tokens(params, model.max_output_tokens));
  w.end_object();
}

// Text, finish reason and usage of one GenerateContentResponse.
Status read_response(const JsonValue& doc, std::string* text, std::string* finish,
                     JobUsage* usage) {
  if (!doc.IsObject()) return Error::invalid("not a JSON object");
  if (const JsonValue* u = json_member(doc, "usageMetadata"); u && u->IsObject()) {
    read_usage(*u, usage);
  }
  const JsonValue* candidates = json_member(doc, "candidates");
  if (candidates == nullptr) {
    // A prompt blocked before any candidate: promptFeedback.blockReason.
    if (const JsonValue* fb = json_member(doc, "promptFeedback");
        fb && json_member(*fb, "blockReason") != nullptr) {
      *finish = "content_filter";
      return {};
    }
    return usage->input_tokens > 0 ? Status() : Status(Error::invalid("no candidates"));
  }
  if (!candidates->IsArray() || candidates->Empty()) return Error::invalid("no candidates");
  const JsonValue& c = (*candidates)[0];
  if (const JsonValue* content = json_member(c, "content"); content && content->IsObject()) {
    if (const JsonValue* parts = json_member(*content, "parts"); parts && parts->IsArray()) {
      for (const auto& p : parts->GetArray()) {
        if (json_member(p, "functionCall") != nullptr) *finish = "tool_calls";
        if (json_bool(p, "thought").value_or(false)) continue;
        if (auto t = json_string(p, "text")) text->append(*t);
      }
    }
  }
  if (auto reason = json_string(c, "finishReason")) {
    if (*finish != "tool_calls") *finish = normalized_finish(*reason);
  }
  return {};
}

}  // namespace

Result<HttpCall> GeminiProvider::build_call(const ModelConfig& model,
                                            const JsonValue& request) const {
  auto chat = split_chat(request);
  if (!chat.ok()) return chat.error();
  const std::string& system = chat->system;
  JsonWriter w;
  w.begin_object();
  w.key("contents").begin_array();
  for (const ChatTurn& t : chat->turns) {
    w.begin_object().field("role", t.assistant ? "model" : "user");
    write_text_parts(w, t.text);
    w.end_object();
  }
  w.end_array();
  if (!system.empty()) {
    w.key("systemInstruction").begin_object();
    write_text_parts(w, system);
    w.end_object();
  }
  write_generation_config(model, json_member(request, "parameters"), w);
  w.end_object();
  HttpCall call;
  call.url = model.base_url + "/v1beta/models/" + model.upstream_model +
             (model.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  call.headers = {"Content-Type: application/json"};
  if (!model.api_key.empty()) call.headers.push_back("x-goog-api-key: " + model.api_key);
  call.body = w.str();
  return call;
}

Result<ProviderOutcome> GeminiProvider::parse_body(std::string_view body) const {
  auto doc = parse_json(body);
  if (!doc.ok()) return Error::invalid("not JSON");
  ProviderOutcome o;
  std::string text;
  if (auto s = read_response(*doc, &text, &o.finish_reason, &o.usage); !s.ok()) return s.error();
  if (o.finish_reason.empty()) o.finish_reason = "stop";
  o.kind = ProviderOutcome::Kind::kSuccess;
  o.output_json = assistant_message_json(text);
  return o;
}

Result<bool> GeminiProvider::apply_stream_event(const SseEvent& event, StreamState* state) const {
  auto doc = parse_json(event.data);
  if (!doc.ok()) return Error::invalid("chunk is not JSON");
  if (const JsonValue* error = json_member(*doc, "error")) {
    state->error_code = "server_error";
    state->error_detail = to_json(*error).substr(0, 2000);
    return false;
  }
  const std::size_t before = state->text.size();
  if (auto s = read_response(*doc, &state->text, &state->finish_reason, &state->usage); !s.ok()) {
    return s.error();
  }
  if (!state->finish_reason.empty()) state->complete = true;
  return state->text.size() > before;
}

}  // namespace bl
