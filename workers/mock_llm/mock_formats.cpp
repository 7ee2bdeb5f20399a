#include "workers/mock_llm/mock_formats.hpp"

#include <chrono>

#include "core/json.hpp"
#include "workers/provider.hpp"

namespace bl {
namespace {

std::int64_t approx_tokens(std::size_t bytes) {
  return static_cast<std::int64_t>(bytes / 4 + 1);
}

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string sse(std::string_view event, const std::string& data) {
  std::string out;
  if (!event.empty()) out += "event: " + std::string(event) + "\n";
  out += "data: " + data + "\n\n";
  return out;
}

Status parse_chat_messages(const JsonValue& doc, MockRequest* r) {
  const JsonValue* messages = json_member(doc, "messages");
  if (messages == nullptr || !messages->IsArray() || messages->Empty()) {
    return Error::invalid("'messages' must be a non-empty array");
  }
  for (const auto& m : messages->GetArray()) {
    const JsonValue* c = json_member(m, "content");
    r->messages.push_back(MockMessage{std::string(json_string(m, "role").value_or("")),
                                      c ? message_text(*c) : std::string()});
  }
  return {};
}

// OpenAI and Azure ---------------------------------------------------------------------------

void write_openai_usage(JsonWriter& w, const MockAnswer& a) {
  w.key("usage").begin_object();
  w.field("prompt_tokens", a.input_tokens);
  w.field("completion_tokens", a.output_tokens);
  w.field("total_tokens", a.input_tokens + a.output_tokens);
  w.key("prompt_tokens_details").begin_object().field("cached_tokens", a.cached_tokens);
  w.end_object().end_object();
}

std::string openai_body(const MockRequest& r, const MockAnswer& a) {
  JsonWriter w;
  w.begin_object();
  w.field("id", "chatcmpl-mock");
  w.field("object", "chat.completion");
  w.field("created", unix_seconds());
  w.field("model", r.model);
  w.key("choices").begin_array().begin_object();
  w.field("index", 0);
  w.key("message").begin_object().field("role", "assistant").field("content", a.text());
  w.end_object();
  w.null_field("logprobs");
  w.field("finish_reason", a.finish);
  w.end_object().end_array();
  write_openai_usage(w, a);
  w.end_object();
  return w.str();
}

std::vector<std::string> openai_stream(const MockRequest& r, const MockAnswer& a) {
  std::vector<std::string> out;
  auto chunk = [&](const std::string* piece, const std::string* finish) {
    JsonWriter w;
    w.begin_object().field("id", "chatcmpl-mock").field("object", "chat.completion.chunk");
    w.field("created", unix_seconds()).field("model", r.model);
    w.key("choices").begin_array().begin_object().field("index", 0).key("delta").begin_object();
    if (piece != nullptr) w.field("content", *piece);
    w.end_object();
    if (finish != nullptr) {
      w.field("finish_reason", *finish);
    } else {
      w.null_field("finish_reason");
    }
    w.end_object().end_array().null_field("usage").end_object();
    out.push_back(sse("", w.str()));
  };
  for (const auto& p : a.pieces)
    chunk(&p, nullptr);
  chunk(nullptr, &a.finish);
  JsonWriter u;
  u.begin_object().field("id", "chatcmpl-mock").field("object", "chat.completion.chunk");
  u.key("choices").begin_array().end_array();
  write_openai_usage(u, a);
  u.end_object();
  out.push_back(sse("", u.str()));
  out.push_back(sse("", "[DONE]"));
  return out;
}

// Anthropic ----------------------------------------------------------------------------------

std::string anthropic_stop(const MockAnswer& a) {
  return a.finish == "length" ? "max_tokens" : "end_turn";
}

void write_anthropic_usage(JsonWriter& w, const MockAnswer& a, bool with_output) {
  w.key("usage").begin_object();
  // Anthropic's input_tokens leave out what was read from the cache.
  w.field("input_tokens", a.input_tokens - a.cached_tokens);
  w.field("cache_creation_input_tokens", 0);
  w.field("cache_read_input_tokens", a.cached_tokens);
  w.field("output_tokens", with_output ? a.output_tokens : 1);
  w.end_object();
}

std::string anthropic_body(const MockRequest& r, const MockAnswer& a) {
  JsonWriter w;
  w.begin_object().field("id", "msg_mock").field("type", "message").field("role", "assistant");
  w.field("model", r.model);
  w.key("content").begin_array().begin_object().field("type", "text").field("text", a.text());
  w.end_object().end_array();
  w.field("stop_reason", anthropic_stop(a)).null_field("stop_sequence");
  write_anthropic_usage(w, a, true);
  w.end_object();
  return w.str();
}

std::vector<std::string> anthropic_stream(const MockRequest& r, const MockAnswer& a) {
  std::vector<std::string> out;
  {
    JsonWriter w;
    w.begin_object().field("type", "message_start").key("message").begin_object();
    w.field("id", "msg_mock").field("type", "message").field("role", "assistant");
    w.field("model", r.model).key("content").begin_array().end_array();
    w.null_field("stop_reason").null_field("stop_sequence");
    write_anthropic_usage(w, a, false);
    w.end_object().end_object();
    out.push_back(sse("message_start", w.str()));
  }
  out.push_back(
      sse("content_block_start",
          R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"));
  out.push_back(sse("ping", R"({"type":"ping"})"));
  for (const auto& p : a.pieces) {
    JsonWriter w;
    w.begin_object().field("type", "content_block_delta").field("index", 0);
    w.key("delta").begin_object().field("type", "text_delta").field("text", p).end_object();
    w.end_object();
    out.push_back(sse("content_block_delta", w.str()));
  }
  out.push_back(sse("content_block_stop", R"({"type":"content_block_stop","index":0})"));
  {
    JsonWriter w;
    w.begin_object().field("type", "message_delta").key("delta").begin_object();
    w.field("stop_reason", anthropic_stop(a)).null_field("stop_sequence").end_object();
    w.key("usage").begin_object().field("output_tokens", a.output_tokens).end_object();
    w.end_object();
    out.push_back(sse("message_delta", w.str()));
  }
  out.push_back(sse("message_stop", R"({"type":"message_stop"})"));
  return out;
}

// Gemini -------------------------------------------------------------------------------------

void write_gemini_usage(JsonWriter& w, const MockAnswer& a) {
  w.key("usageMetadata").begin_object();
  w.field("promptTokenCount", a.input_tokens);
  w.field("candidatesTokenCount", a.output_tokens);
  w.field("totalTokenCount", a.input_tokens + a.output_tokens);
  w.field("cachedContentTokenCount", a.cached_tokens);
  w.end_object();
}

std::string gemini_chunk(const MockRequest& r, const std::string& text, const MockAnswer* last) {
  JsonWriter w;
  w.begin_object().key("candidates").begin_array().begin_object();
  w.key("content").begin_object().key("parts").begin_array();
  w.begin_object().field("text", text).end_object();
  w.end_array().field("role", "model").end_object();
  if (last != nullptr) w.field("finishReason", last->finish == "length" ? "MAX_TOKENS" : "STOP");
  w.field("index", 0);
  w.end_object().end_array();
  if (last != nullptr) write_gemini_usage(w, *last);
  w.field("modelVersion", r.model).field("responseId", "mock");
  w.end_object();
  return w.str();
}

std::vector<std::string> gemini_stream(const MockRequest& r, const MockAnswer& a) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < a.pieces.size(); ++i) {
    out.push_back(sse("", gemini_chunk(r, a.pieces[i], i + 1 == a.pieces.size() ? &a : nullptr)));
  }
  if (a.pieces.empty()) out.push_back(sse("", gemini_chunk(r, "", &a)));
  return out;
}

}  // namespace

std::string MockAnswer::text() const {
  std::string out;
  for (const auto& p : pieces)
    out += p;
  return out;
}

Result<MockRequest> parse_mock_request(MockFormat format, std::string_view model_in_path,
                                       bool stream_in_path, std::string_view body) {
  auto doc = parse_json(body);
  if (!doc.ok() || !doc->IsObject()) return Error::invalid("the body is not a JSON object");
  MockRequest r;
  r.format = format;
  switch (format) {
    case MockFormat::kOpenAi:
    case MockFormat::kAzure: {
      r.model = format == MockFormat::kAzure ? std::string(model_in_path)
                                             : std::string(json_string(*doc, "model").value_or(""));
      if (auto s = parse_chat_messages(*doc, &r); !s.ok()) return s.error();
      r.max_tokens = json_int(*doc, "max_tokens")
                         .value_or(json_int(*doc, "max_completion_tokens").value_or(0));
      r.stream = json_bool(*doc, "stream").value_or(false);
      break;
    }
    case MockFormat::kAnthropic: {
      r.model = std::string(json_string(*doc, "model").value_or(""));
      if (const JsonValue* system = json_member(*doc, "system")) {
        r.messages.push_back(MockMessage{"system", message_text(*system)});
      }
      if (auto s = parse_chat_messages(*doc, &r); !s.ok()) return s.error();
      auto max_tokens = json_int(*doc, "max_tokens");
      if (!max_tokens || *max_tokens < 1) return Error::invalid("max_tokens: Field required");
      r.max_tokens = *max_tokens;
      r.stream = json_bool(*doc, "stream").value_or(false);
      break;
    }
    case MockFormat::kGemini: {
      r.model = std::string(model_in_path);
      if (const JsonValue* si = json_member(*doc, "systemInstruction")) {
        if (const JsonValue* parts = json_member(*si, "parts")) {
          r.messages.push_back(MockMessage{"system", message_text(*parts)});
        }
      }
      const JsonValue* contents = json_member(*doc, "contents");
      if (contents == nullptr || !contents->IsArray() || contents->Empty()) {
        return Error::invalid("contents is not specified");
      }
      for (const auto& c : contents->GetArray()) {
        const std::string_view role = json_string(c, "role").value_or("user");
        const JsonValue* parts = json_member(c, "parts");
        r.messages.push_back(MockMessage{role == "model" ? "assistant" : "user",
                                         parts ? message_text(*parts) : std::string()});
      }
      if (const JsonValue* gc = json_member(*doc, "generationConfig")) {
        r.max_tokens = json_int(*gc, "maxOutputTokens").value_or(0);
      }
      r.stream = stream_in_path;
      break;
    }
  }
  if (r.model.empty()) return Error::invalid("model is required");
  return r;
}

MockAnswer mock_answer(const MockRequest& request, std::uint64_t seed) {
  MockAnswer a;
  const std::string text = mock_reply_text(request.model, request.messages, seed);
  // Words, each with the space before it: one piece is one token of a stream.
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t next = text.find(' ', start + 1);
    if (next == std::string::npos) next = text.size();
    a.pieces.push_back(text.substr(start, next - start));
    start = next;
  }
  a.finish = "stop";
  if (request.max_tokens > 0 && static_cast<std::int64_t>(a.pieces.size()) > request.max_tokens) {
    a.pieces.resize(static_cast<std::size_t>(request.max_tokens));
    a.finish = "length";
  }
  std::size_t prompt_bytes = 0;
  std::size_t system_bytes = 0;
  for (const auto& m : request.messages) {
    prompt_bytes += m.text.size();
    if (m.role == "system") system_bytes += m.text.size();
  }
  a.input_tokens = approx_tokens(prompt_bytes);
  // The system prompt is what a provider's prompt cache would hold.
  a.cached_tokens = system_bytes == 0 ? 0 : std::min(a.input_tokens, approx_tokens(system_bytes));
  a.output_tokens = static_cast<std::int64_t>(a.pieces.size());
  return a;
}

std::string render_body(const MockRequest& r, const MockAnswer& a) {
  switch (r.format) {
    case MockFormat::kAnthropic:
      return anthropic_body(r, a);
    case MockFormat::kGemini:
      return gemini_chunk(r, a.text(), &a);
    default:
      return openai_body(r, a);
  }
}

std::vector<std::string> render_stream(const MockRequest& r, const MockAnswer& a) {
  switch (r.format) {
    case MockFormat::kAnthropic:
      return anthropic_stream(r, a);
    case MockFormat::kGemini:
      return gemini_stream(r, a);
    default:
      return openai_stream(r, a);
  }
}

HttpResponse render_error(MockFormat format, std::string_view kind, std::int64_t retry_after_ms) {
  int status = 500;
  if (kind == "rate_limited" || kind == "quota") status = 429;
  if (kind == "overloaded") status = format == MockFormat::kGemini ? 503 : 529;
  if (kind == "invalid") status = 400;
  if (kind == "unauthorized") status = 401;
  if (kind == "quota" && format == MockFormat::kAnthropic) status = 402;
  HttpResponse resp;
  resp.status = status;
  resp.headers.emplace_back("Content-Type", "application/json");
  const std::string secs = std::to_string((retry_after_ms + 999) / 1000);
  JsonWriter w;
  w.begin_object();
  if (format == MockFormat::kAnthropic) {
    const char* type = status == 429   ? "rate_limit_error"
                       : status == 402 ? "billing_error"
                       : status == 529 ? "overloaded_error"
                       : status == 400 ? "invalid_request_error"
                       : status == 401 ? "authentication_error"
                                       : "api_error";
    w.field("type", "error").key("error").begin_object().field("type", type);
    w.field("message", "mock error").end_object().field("request_id", "req_mock");
    if (kind == "rate_limited") resp.headers.emplace_back("retry-after", secs);
  } else if (format == MockFormat::kGemini) {
    const char* st = status == 429   ? "RESOURCE_EXHAUSTED"
                     : status == 503 ? "UNAVAILABLE"
                     : status == 400 ? "INVALID_ARGUMENT"
                     : status == 401 ? "UNAUTHENTICATED"
                                     : "INTERNAL";
    w.key("error").begin_object().field("code", status).field("message", "mock error");
    w.field("status", st);
    if (kind == "rate_limited") {
      char delay[32];
      std::snprintf(delay, sizeof(delay), "%.3fs", static_cast<double>(retry_after_ms) / 1000.0);
      w.key("details").begin_array().begin_object();
      w.field("@type", "type.googleapis.com/google.rpc.RetryInfo").field("retryDelay", delay);
      w.end_object().end_array();
    }
    w.end_object();
  } else {
    const char* code = kind == "quota"          ? "insufficient_quota"
                       : kind == "rate_limited" ? "rate_limit_exceeded"
                                                : "mock_error";
    w.key("error").begin_object().field("message", "mock error");
    w.field("type", kind == "quota" ? "insufficient_quota" : "api_error");
    w.null_field("param").field("code", code).end_object();
    if (kind == "rate_limited") {
      resp.headers.emplace_back("retry-after", secs);
      if (format == MockFormat::kAzure) {
        resp.headers.emplace_back("retry-after-ms", std::to_string(retry_after_ms));
      }
    }
  }
  w.end_object();
  resp.body = w.str();
  return resp;
}

}  // namespace bl
