// Classification of failed provider calls, and the retry hints each provider gives.

#include <gtest/gtest.h>

#include "workers/mock_llm/mock_formats.hpp"
#include "workers/provider.hpp"

namespace bl {
namespace {

HttpCallResult answer(long status, std::string body = "{}", HeaderList headers = {}) {
  HttpCallResult r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(ProviderErrors, RetryableAndFinalStatuses) {
  for (long s : {408L, 409L, 425L, 429L, 500L, 502L, 503L, 504L, 529L}) {
    EXPECT_EQ(classify_failure(answer(s)).kind, ProviderOutcome::Kind::kRetryable) << s;
  }
  for (long s : {400L, 401L, 403L, 404L, 422L}) {
    EXPECT_EQ(classify_failure(answer(s)).kind, ProviderOutcome::Kind::kFinal) << s;
  }
  EXPECT_EQ(classify_failure(answer(529)).error_code, "overloaded");
  EXPECT_EQ(classify_failure(answer(429)).error_code, "rate_limited");
  EXPECT_EQ(classify_failure(answer(401)).error_code, "authentication_error");
}

TEST(ProviderErrors, TransportFailuresAreRetryable) {
  HttpCallResult timeout;
  timeout.curl_code = 28;  // CURLE_OPERATION_TIMEDOUT
  EXPECT_EQ(classify_failure(timeout).kind, ProviderOutcome::Kind::kRetryable);
  EXPECT_EQ(classify_failure(timeout).error_code, "timeout");
  HttpCallResult refused;
  refused.curl_code = 7;  // CURLE_COULDNT_CONNECT
  EXPECT_EQ(classify_failure(refused).error_code, "connection_error");
}

TEST(ProviderErrors, QuotaIsFinal) {
  HttpResponse openai = render_error(MockFormat::kOpenAi, "quota", 0);
  ProviderOutcome o = classify_failure(answer(openai.status, openai.body));
  EXPECT_EQ(o.kind, ProviderOutcome::Kind::kFinal);
  EXPECT_EQ(o.error_code, "insufficient_quota");
  HttpResponse claude = render_error(MockFormat::kAnthropic, "quota", 0);
  EXPECT_EQ(classify_failure(answer(claude.status, claude.body)).kind,
            ProviderOutcome::Kind::kFinal);
}

TEST(ProviderErrors, RetryHintsOfEachProvider) {
  for (MockFormat f :
       {MockFormat::kOpenAi, MockFormat::kAzure, MockFormat::kAnthropic, MockFormat::kGemini}) {
    HttpResponse r = render_error(f, "rate_limited", 2500);
    HeaderList lower;
    for (auto [k, v] : r.headers) {
      for (char& ch : k)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      lower.emplace_back(k, v);
    }
    ProviderOutcome o = classify_failure(answer(r.status, r.body, lower));
    EXPECT_EQ(o.kind, ProviderOutcome::Kind::kRetryable);
    // Azure and Gemini give milliseconds; OpenAI and Anthropic whole seconds (rounded up).
    const bool exact = f == MockFormat::kAzure || f == MockFormat::kGemini;
    EXPECT_EQ(o.retry_after_ms, exact ? 2500 : 3000) << static_cast<int>(f);
  }
  EXPECT_EQ(classify_failure(answer(429, "{}", {{"retry-after", "7"}})).retry_after_ms, 7000);
  EXPECT_EQ(classify_failure(answer(429, "{}", {{"retry-after-ms", "120"}, {"retry-after", "7"}}))
                .retry_after_ms,
            120);
  EXPECT_EQ(classify_failure(answer(429)).retry_after_ms, -1);
}

TEST(ProviderErrors, RetryInfoDelay) {
  EXPECT_EQ(
      retry_info_delay_ms(
          R"({"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"36s"}]}})"),
      36000);
  EXPECT_EQ(
      retry_info_delay_ms(
          R"({"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}})"),
      1500);
  EXPECT_EQ(retry_info_delay_ms(R"({"error":{"details":[{"@type":"x.QuotaFailure"}]}})"), -1);
  EXPECT_EQ(
      retry_info_delay_ms(R"({"error":{"details":[{"@type":"RetryInfo","retryDelay":"-1s"}]}})"),
      -1);
  EXPECT_EQ(retry_info_delay_ms("RetryInfo not json"), -1);
}

TEST(ProviderErrors, AzureContentFilterIsFinal) {
  ProviderOutcome o =
      classify_failure(answer(400, R"({"error":{"code":"content_filter","message":"filtered"}})"));
  EXPECT_EQ(o.kind, ProviderOutcome::Kind::kFinal);
  EXPECT_EQ(o.error_code, "content_filter");
}

}  // namespace
}  // namespace bl
