// The mock's latency and fault draws: reproducible from the seed and the request.

#include "workers/mock_llm/mock_plan.hpp"

#include <gtest/gtest.h>

#include <map>

#include "workers/mock_llm/mock_reply.hpp"

namespace bl {
namespace {

TEST(MockPlan, SameSeedAndRequestSameDraw) {
  MockLlmOptions o;
  o.latency = "lognormal";
  o.latency_ms = 200;
  o.rate_500 = 0.5;
  for (std::uint64_t h = 0; h < 100; ++h) {
    MockPlan a = mock_plan(o, h, 0, "");
    MockPlan b = mock_plan(o, h, 0, "");
    EXPECT_EQ(a.latency_ms, b.latency_ms);
    EXPECT_EQ(a.fault, b.fault);
  }
}

TEST(MockPlan, UniformLatencyStaysInRange) {
  MockLlmOptions o;
  o.latency = "uniform";
  o.latency_min_ms = 10;
  o.latency_max_ms = 20;
  std::map<std::int64_t, int> seen;
  for (std::uint64_t h = 0; h < 2000; ++h) {
    const std::int64_t l = mock_plan(o, h * 7919, 0, "").latency_ms;
    EXPECT_GE(l, 10);
    EXPECT_LE(l, 20);
    ++seen[l];
  }
  EXPECT_EQ(seen.size(), 11u);  // every value drawn
}

TEST(MockPlan, FaultRatesAreRoughlyHonoured) {
  MockLlmOptions o;
  o.rate_429 = 0.2;
  o.rate_drop = 0.1;
  std::map<std::string, int> count;
  for (std::uint64_t h = 0; h < 10000; ++h)
    ++count[mock_plan(o, h * 2654435761ULL, 0, "").fault];
  EXPECT_NEAR(count["429"], 2000, 300);
  EXPECT_NEAR(count["drop"], 1000, 200);
  EXPECT_NEAR(count[""], 7000, 400);
}

TEST(MockPlan, ForcedFaultsFromTheMessage) {
  MockLlmOptions o;
  EXPECT_EQ(mock_plan(o, 1, 0, "hi [mock:fault=529]").fault, "529");
  EXPECT_EQ(mock_plan(o, 1, 9, "hi [mock:fault=529]").fault, "529");
  EXPECT_EQ(mock_plan(o, 1, 0, "[mock:fault=429x2]").fault, "429");
  EXPECT_EQ(mock_plan(o, 1, 1, "[mock:fault=429x2]").fault, "429");
  EXPECT_EQ(mock_plan(o, 1, 2, "[mock:fault=429x2]").fault, "");
  EXPECT_EQ(mock_plan(o, 1, 0, "[mock:fault=timeout").fault, "");
}

TEST(MockReply, EchoesTheLastUserMessage) {
  EXPECT_EQ(
      mock_reply_text("m", {{"system", "s"}, {"user", "a"}, {"assistant", "b"}, {"user", "c"}}, 1),
      "Echo: c");
  EXPECT_EQ(mock_reply_text("m", {}, 1), "Echo: ");
}

}  // namespace
}  // namespace bl
