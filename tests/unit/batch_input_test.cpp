#include <gtest/gtest.h>

#include "ingest/anthropic_batch_input.hpp"
#include "ingest/openai_batch_input.hpp"

namespace bl {
namespace {

Config config(int max_requests = 3) {
  auto c = load_config_from(R"({"max_batch_requests": )" + std::to_string(max_requests) +
                                R"(, "models": [
      {"id": "m1", "base_url": "http://x"}, {"id": "m2", "base_url": "http://x"}]})",
                            {});
  EXPECT_TRUE(c.ok());
  return std::move(*c);
}

std::string line(const std::string& id, const std::string& model = "m1") {
  return R"({"custom_id":")" + id +
         R"(","method":"POST","url":"/v1/chat/completions","body":{"model":")" + model +
         R"(","messages":[{"role":"user","content":"hi"}],"max_tokens":7,"stream":false}})";
}

TEST(OpenAiBatchInput, GoodLinesBecomeJobsInOrder) {
  auto in = validate_openai_batch_input(line("a") + "\r\n\n" + line("b") + "\n",
                                        kChatCompletionsEndpoint, config());
  ASSERT_TRUE(in.errors.empty()) << in.errors[0].message;
  ASSERT_EQ(in.jobs.size(), 2u);
  EXPECT_EQ(in.jobs[0].custom_id, "a");
  EXPECT_EQ(in.jobs[1].custom_id, "b");
  EXPECT_EQ(in.jobs[0].max_tokens, 7);
  EXPECT_EQ(in.model, "m1");
  EXPECT_EQ(in.jobs[0].request_json.find("stream"), std::string::npos);
}

TEST(OpenAiBatchInput, EveryBadLineIsReportedWithItsNumber) {
  auto in =
      validate_openai_batch_input(line("a") + "\n[1]\n" + line("a") + "\n" + line("c", "m2") + "\n",
                                  kChatCompletionsEndpoint, config(10));
  EXPECT_TRUE(in.jobs.empty());
  ASSERT_EQ(in.errors.size(), 3u);
  EXPECT_EQ(in.errors[0].code, "invalid_json_line");
  EXPECT_EQ(in.errors[0].line, 2);
  EXPECT_EQ(in.errors[1].code, "duplicate_custom_id");
  EXPECT_EQ(in.errors[1].line, 3);
  EXPECT_EQ(in.errors[2].code, "model_mismatch");
  EXPECT_EQ(in.errors[2].line, 4);
}

TEST(OpenAiBatchInput, FileLevelErrors) {
  EXPECT_EQ(validate_openai_batch_input("", kChatCompletionsEndpoint, config()).errors[0].code,
            "empty_file");
  auto big = validate_openai_batch_input(
      line("a") + "\n" + line("b") + "\n" + line("c") + "\n" + line("d"), kChatCompletionsEndpoint,
      config());
  ASSERT_FALSE(big.errors.empty());
  EXPECT_EQ(big.errors.back().code, "too_many_tasks");
  auto streaming = validate_openai_batch_input(
      R"({"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m1","messages":[{"role":"user","content":"x"}],"stream":true}})",
      kChatCompletionsEndpoint, config());
  ASSERT_EQ(streaming.errors.size(), 1u);
  EXPECT_EQ(streaming.errors[0].param, "body.stream");
}

TEST(AnthropicBatchInput, MapsMessagesParamsOntoJobs) {
  auto in = validate_anthropic_batch(
      R"({"requests":[{"custom_id":"r_1","params":{"model":"m1","max_tokens":9,
          "system":[{"type":"text","text":"sys"}],"stop_sequences":["END"],
          "messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}}]})",
      kAnthropicVersion2023, config());
  ASSERT_FALSE(in.error) << *in.error;
  ASSERT_EQ(in.jobs.size(), 1u);
  EXPECT_EQ(in.jobs[0].custom_id, "r_1");
  EXPECT_EQ(in.jobs[0].max_tokens, 9);
  const std::string& r = in.jobs[0].request_json;
  EXPECT_NE(r.find(R"({"role":"system","content":[{"type":"text","text":"sys"}]})"),
            std::string::npos)
      << r;
  EXPECT_NE(r.find(R"("stop":["END"])"), std::string::npos) << r;
}

TEST(AnthropicBatchInput, Version2026RefusesSamplingParameters) {
  const std::string body =
      R"({"requests":[{"custom_id":"a","params":{"model":"m1","max_tokens":9,"top_k":3,
          "messages":[{"role":"user","content":"hi"}]}}]})";
  EXPECT_TRUE(validate_anthropic_batch(body, kAnthropicVersion2026, config()).error.has_value());
  // top_k has no OpenAI-style counterpart, but 2023-06-01 accepts it (and it is dropped).
  EXPECT_FALSE(validate_anthropic_batch(body, kAnthropicVersion2023, config()).error.has_value());
}

}  // namespace
}  // namespace bl
