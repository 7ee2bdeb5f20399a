#include "core/token_bucket.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_env.hpp"

namespace bl {
namespace {

Result<TokenBucketResult> take(RedisClient& c, const std::string& key, TokenBucketSpec spec,
                               double cost) {
  auto r = c.command(token_bucket_take(key, spec, cost));
  if (r.ok() && is_noscript(*r)) {
    (void)c.command({"SCRIPT", "LOAD", token_bucket_script().source()});
    r = c.command(token_bucket_take(key, spec, cost));
  }
  if (!r.ok()) return r.error();
  return parse_token_bucket_reply(*r);
}

TEST(TokenBucket, AllowsTheBurstThenAsksToWait) {
  test::TestRedis redis;
  auto c = redis.connect();
  ASSERT_NE(c, nullptr);
  const std::string key = redis.prefix() + ":bucket";
  const TokenBucketSpec spec{5, 1};  // 5 at once, then 1 per second
  for (int i = 0; i < 5; ++i) {
    auto r = take(*c, key, spec, 1);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->allowed) << i;
  }
  auto denied = take(*c, key, spec, 1);
  ASSERT_TRUE(denied.ok());
  EXPECT_FALSE(denied->allowed);
  EXPECT_GT(denied->wait_ms, 0);
  EXPECT_LE(denied->wait_ms, 1000);
  // A cost larger than the bucket can never be met at once.
  auto big = take(*c, key, spec, 50);
  ASSERT_TRUE(big.ok());
  EXPECT_FALSE(big->allowed);
  EXPECT_GT(big->wait_ms, 40000);
}

}  // namespace
}  // namespace bl
