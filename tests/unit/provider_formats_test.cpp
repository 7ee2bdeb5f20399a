// Each provider adapter against the mock's rendering of the same wire format: the request the
// adapter builds is one the mock parses, and the answers (whole and streamed) the mock renders
// parse back into the same text, usage and stop reason.

#include <gtest/gtest.h>

#include "workers/mock_llm/mock_formats.hpp"
#include "workers/provider.hpp"
#include "workers/sse_parser.hpp"

namespace bl {
namespace {

struct Case {
  const char* provider;
  MockFormat format;
};

const Case kCases[] = {{"openai", MockFormat::kOpenAi},
                       {"azure", MockFormat::kAzure},
                       {"anthropic", MockFormat::kAnthropic},
                       {"gemini", MockFormat::kGemini}};

ModelConfig model_for(const char* provider, bool stream) {
  ModelConfig m;
  m.id = "m";
  m.provider = provider;
  m.base_url = "http://mock";
  m.upstream_model = "upstream-1";
  m.api_key = "k";
  m.stream = stream;
  m.input_nano_usd_per_mtok = 1000000000;
  m.output_nano_usd_per_mtok = 2000000000;
  return m;
}

const char* kRequest =
    R"({"messages":[{"role":"system","content":"be brief and kind"},)"
    R"({"role":"user","content":"question one"},{"role":"assistant","content":"ok"},)"
    R"({"role":"user","content":[{"type":"text","text":"the last question"}]}],)"
    R"("parameters":{"max_tokens":50,"temperature":0}})";

MockRequest mock_side(const Case& c, const HttpCall& call) {
  // The model of Azure and Gemini is in the path; Gemini streams by path.
  const bool stream_path = call.url.find(":streamGenerateContent?alt=sse") != std::string::npos;
  auto r = parse_mock_request(c.format, "upstream-1", stream_path, call.body);
  EXPECT_TRUE(r.ok()) << c.provider << ": " << call.body;
  return r.ok() ? *r : MockRequest{};
}

TEST(ProviderFormats, RequestsCarryModelMessagesKeyAndLimits) {
  auto request = parse_json(kRequest);
  ASSERT_TRUE(request.ok());
  for (const Case& c : kCases) {
    const Provider* p = find_provider(c.provider);
    ASSERT_NE(p, nullptr) << c.provider;
    auto call = p->build_call(model_for(c.provider, false), *request);
    ASSERT_TRUE(call.ok()) << c.provider;
    MockRequest r = mock_side(c, *call);
    EXPECT_EQ(r.model, "upstream-1") << c.provider;
    EXPECT_EQ(r.max_tokens, 50) << c.provider;
    EXPECT_FALSE(r.stream) << c.provider;
    ASSERT_FALSE(r.messages.empty()) << c.provider;
    EXPECT_EQ(r.messages.back().text, "the last question") << c.provider;
    EXPECT_EQ(mock_answer(r, 1).text(), "Echo: the last question") << c.provider;
    std::string headers;
    for (const auto& h : call->headers)
      headers += h + "\n";
    const char* key_header = c.format == MockFormat::kOpenAi      ? "Authorization: Bearer k"
                             : c.format == MockFormat::kAzure     ? "api-key: k"
                             : c.format == MockFormat::kAnthropic ? "x-api-key: k"
                                                                  : "x-goog-api-key: k";
    EXPECT_NE(headers.find(key_header), std::string::npos) << c.provider;
  }
  auto azure = find_provider("azure")->build_call(model_for("azure", false), *request);
  EXPECT_EQ(azure->url,
            "http://mock/openai/deployments/upstream-1/chat/completions?api-version=2024-10-21");
  auto gemini = find_provider("gemini")->build_call(model_for("gemini", true), *request);
  EXPECT_EQ(gemini->url, "http://mock/v1beta/models/upstream-1:streamGenerateContent?alt=sse");
  auto claude = find_provider("anthropic")->build_call(model_for("anthropic", false), *request);
  EXPECT_NE(claude->body.find(R"("system":"be brief and kind")"), std::string::npos);
}

TEST(ProviderFormats, WholeAnswersParseToTextUsageAndStop) {
  auto request = parse_json(kRequest);
  for (const Case& c : kCases) {
    const Provider* p = find_provider(c.provider);
    const ModelConfig model = model_for(c.provider, false);
    auto call = p->build_call(model, *request);
    MockRequest r = mock_side(c, *call);
    const MockAnswer a = mock_answer(r, 1);
    HttpCallResult http;
    http.status = 200;
    http.body = render_body(r, a);
    ProviderOutcome o = parse_result(*p, model, http);
    ASSERT_EQ(o.kind, ProviderOutcome::Kind::kSuccess) << c.provider << ": " << http.body;
    auto message = parse_json(o.output_json);
    ASSERT_TRUE(message.ok());
    EXPECT_EQ(json_string(*message, "content"), "Echo: the last question") << c.provider;
    EXPECT_EQ(o.finish_reason, "stop") << c.provider;
    EXPECT_EQ(o.usage.input_tokens, a.input_tokens) << c.provider;
    EXPECT_EQ(o.usage.output_tokens, a.output_tokens) << c.provider;
    EXPECT_EQ(o.usage.cached_tokens, a.cached_tokens) << c.provider;
    EXPECT_GT(o.usage.cached_tokens, 0) << c.provider;
    EXPECT_EQ(o.usage.cost_nano_usd, a.input_tokens * 1000 + a.output_tokens * 2000) << c.provider;
  }
}

TEST(ProviderFormats, LengthLimitIsNormalized) {
  auto request = parse_json(
      R"({"messages":[{"role":"user","content":"one two three four five"}],"parameters":{"max_tokens":2}})");
  for (const Case& c : kCases) {
    const Provider* p = find_provider(c.provider);
    const ModelConfig model = model_for(c.provider, false);
    MockRequest r = mock_side(c, *p->build_call(model, *request));
    HttpCallResult http;
    http.status = 200;
    http.body = render_body(r, mock_answer(r, 1));
    EXPECT_EQ(parse_result(*p, model, http).finish_reason, "length") << c.provider;
  }
}

TEST(ProviderFormats, StreamsAccumulateTextUsageAndEnd) {
  auto request = parse_json(kRequest);
  for (const Case& c : kCases) {
    const Provider* p = find_provider(c.provider);
    auto call = p->build_call(model_for(c.provider, true), *request);
    MockRequest r = mock_side(c, *call);
    EXPECT_TRUE(r.stream) << c.provider;
    const MockAnswer a = mock_answer(r, 1);
    std::string bytes;
    for (const auto& e : render_stream(r, a))
      bytes += e;
    SseParser parser;
    std::vector<SseEvent> events;
    ASSERT_TRUE(parser.feed(bytes, &events).ok());
    ASSERT_TRUE(parser.finish(&events).ok());
    StreamState state;
    int tokens = 0;
    for (const auto& e : events) {
      auto t = p->apply_stream_event(e, &state);
      ASSERT_TRUE(t.ok()) << c.provider << ": " << e.data;
      tokens += *t ? 1 : 0;
    }
    EXPECT_TRUE(state.complete) << c.provider;
    EXPECT_EQ(state.text, "Echo: the last question") << c.provider;
    EXPECT_EQ(tokens, static_cast<int>(a.pieces.size())) << c.provider;
    EXPECT_EQ(state.finish_reason, "stop") << c.provider;
    EXPECT_EQ(state.usage.input_tokens, a.input_tokens) << c.provider;
    EXPECT_EQ(state.usage.output_tokens, a.output_tokens) << c.provider;
    EXPECT_EQ(state.usage.cached_tokens, a.cached_tokens) << c.provider;
  }
}

TEST(ProviderFormats, MalformedBodiesAreErrorsNotCrashes) {
  for (const Case& c : kCases) {
    const Provider* p = find_provider(c.provider);
    for (const char* body : {"", "{", "[]", "null", R"({"choices":[]})", R"({"type":"message"})",
                             R"({"candidates":[]})", R"({"choices":[{"message":3}]})"}) {
      EXPECT_FALSE(p->parse_body(body).ok()) << c.provider << ": " << body;
    }
    StreamState state;
    EXPECT_FALSE(p->apply_stream_event(SseEvent{"", "{broken"}, &state).ok()) << c.provider;
  }
}

TEST(ProviderFormats, MidStreamErrorsAreRecorded) {
  StreamState s;
  ASSERT_TRUE(
      find_provider("anthropic")
          ->apply_stream_event(
              SseEvent{"error",
                       R"({"type":"error","error":{"type":"overloaded_error","message":"x"}})"},
              &s)
          .ok());
  EXPECT_EQ(s.error_code, "overloaded");
  EXPECT_TRUE(s.error_retryable);
  StreamState o;
  ASSERT_TRUE(find_provider("openai")
                  ->apply_stream_event(SseEvent{"", R"({"error":{"message":"x"}})"}, &o)
                  .ok());
  EXPECT_EQ(o.error_code, "server_error");
}

}  // namespace
}  // namespace bl
