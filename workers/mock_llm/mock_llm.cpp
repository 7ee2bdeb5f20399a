#include "workers/mock_llm/mock_llm.hpp"

#include <chrono>

#include "core/api_error.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/log.hpp"

namespace bl {
namespace {

// Text of a message's content: a string, or the text parts of an array of parts.
std::string content_text(const JsonValue& content) {
  if (content.IsString()) return std::string(as_view(content));
  std::string out;
  if (content.IsArray()) {
    for (const auto& part : content.GetArray()) {
      if (auto t = json_string(part, "text")) out += *t;
    }
  }
  return out;
}

std::int64_t approx_tokens(std::size_t bytes) {
  return static_cast<std::int64_t>(bytes / 4 + 1);
}

HttpResponse openai_error(int status, const char* type, const char* message) {
  JsonWriter w;
  w.begin_object().key("error").begin_object();
  w.field("message", message).field("type", type).null_field("param").null_field("code");
  w.end_object().end_object();
  return HttpResponse::json(status, w.str());
}

HttpResponse chat_completion(const HttpRequest& req) {
  auto doc = parse_json(req.body);
  if (!doc.ok() || !doc->IsObject()) {
    return openai_error(400, "invalid_request_error", "We could not parse the JSON body.");
  }
  const JsonValue* messages = json_member(*doc, "messages");
  if (messages == nullptr || !messages->IsArray() || messages->Empty()) {
    return openai_error(400, "invalid_request_error", "'messages' must be a non-empty array.");
  }
  std::size_t prompt_bytes = 0;
  for (const auto& m : messages->GetArray()) {
    if (const JsonValue* c = json_member(m, "content")) prompt_bytes += content_text(*c).size();
  }
  std::string text = mock_completion_text(*doc);
  std::string finish = "stop";
  std::int64_t limit =
      json_int(*doc, "max_tokens").value_or(json_int(*doc, "max_completion_tokens").value_or(0));
  if (limit > 0 && approx_tokens(text.size()) > limit) {
    text.resize(static_cast<std::size_t>(limit) * 4);
    finish = "length";
  }
  const std::int64_t prompt_tokens = approx_tokens(prompt_bytes);
  const std::int64_t completion_tokens = approx_tokens(text.size());
  JsonWriter w;
  w.begin_object();
  w.field("id", "chatcmpl-" + hex_encode(random_bytes(12)));
  w.field("object", "chat.completion");
  w.field("created",
          static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count()));
  w.field("model", json_string(*doc, "model").value_or("mock"));
  w.key("choices").begin_array().begin_object();
  w.field("index", 0);
  w.key("message").begin_object().field("role", "assistant").field("content", text).end_object();
  w.null_field("logprobs");
  w.field("finish_reason", finish);
  w.end_object().end_array();
  w.key("usage").begin_object();
  w.field("prompt_tokens", prompt_tokens);
  w.field("completion_tokens", completion_tokens);
  w.field("total_tokens", prompt_tokens + completion_tokens);
  w.key("prompt_tokens_details").begin_object().field("cached_tokens", 0).end_object();
  w.end_object();
  w.end_object();
  return HttpResponse::json(200, w.str());
}

}  // namespace

std::string mock_completion_text(const JsonValue& request) {
  std::string last_user;
  if (const JsonValue* messages = json_member(request, "messages");
      messages && messages->IsArray()) {
    for (const auto& m : messages->GetArray()) {
      if (json_string(m, "role").value_or("") != "user") continue;
      if (const JsonValue* c = json_member(m, "content")) last_user = content_text(*c);
    }
  }
  return "Echo: " + last_user;
}

MockLlm::MockLlm(MockLlmOptions options) : options_(std::move(options)) {}
MockLlm::~MockLlm() {
  stop();
}

Status MockLlm::start() {
  Router router;
  const std::int64_t latency = options_.latency_ms;
  router.add("POST", "/v1/chat/completions", [latency](HttpRequest& req, Responder r) {
    r.send_after(latency, chat_completion(req));
  });
  router.add("GET", "/healthz", [](HttpRequest&, Responder r) {
    r.send(HttpResponse::json(200, R"({"status":"ok"})"));
  });
  HttpServerOptions o;
  o.name = "mock-llm";
  o.host = options_.host;
  o.port = options_.port;
  o.threads = options_.threads;
  o.max_body_bytes = 64 << 20;
  server_ = std::make_unique<HttpServer>(o, std::move(router));
  return server_->start();
}

void MockLlm::stop() {
  if (server_) server_->stop();
}

int MockLlm::port() const {
  return server_ ? server_->port() : 0;
}

int run_mock_llm(MockLlmOptions options, StopSignal& stop) {
  MockLlm mock(std::move(options));
  if (auto s = mock.start(); !s.ok()) {
    log::error("mock_llm.start_failed", {{"error", log::code(error_code_name(s.error().code))}});
    return 1;
  }
  while (!stop.wait_for(std::chrono::seconds(1))) {
  }
  mock.stop();
  return 0;
}

}  // namespace bl
