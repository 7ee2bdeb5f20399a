// A provider's Retry-After hint is untrusted: absurd values are capped at a day, never
// overflowed (found by fuzzing provider_response: "retry-after-ms: 1E98").

#include <gtest/gtest.h>

#include "workers/provider.hpp"

namespace bl {
namespace {

std::int64_t hint(const std::string& name, const std::string& value) {
  HttpCallResult r;
  r.status = 429;
  r.headers = {{name, value}};
  return classify_failure(r).retry_after_ms;
}

TEST(RetryAfterLimits, HugeHintsAreCappedAtADay) {
  constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
  EXPECT_EQ(hint("retry-after-ms", "1E98"), kDayMs);
  EXPECT_EQ(hint("retry-after-ms", "inf"), kDayMs);
  EXPECT_EQ(hint("retry-after", "9223372036854775807"), kDayMs);
  EXPECT_EQ(hint("retry-after-ms", "250"), 250);
  EXPECT_EQ(hint("retry-after", "3"), 3000);
}

}  // namespace
}  // namespace bl
