#include "outbox/stream_trim.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_env.hpp"

namespace bl {
namespace {

class StreamTrimTest : public ::testing::Test {
 protected:
  RedisReply run(const RedisArgs& args) {
    auto r = redis->command(args);
    EXPECT_TRUE(r.ok());
    EXPECT_FALSE(r->is_error()) << r->str;
    return *r;
  }
  std::vector<std::string> add(int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i)
      ids.push_back(run({"XADD", key, "*", "job", std::to_string(i)}).str);
    return ids;
  }
  // Reads n entries for consumer c; returns their ids.
  std::vector<std::string> read(int n) {
    auto r =
        run({"XREADGROUP", "GROUP", "g", "c", "COUNT", std::to_string(n), "STREAMS", key, ">"});
    std::vector<std::string> ids;
    for (const auto& e : r.elements[0].elements[1].elements)
      ids.push_back(e.elements[0].str);
    return ids;
  }
  long long length() { return run({"XLEN", key}).integer; }

  test::TestRedis prefix;
  std::unique_ptr<RedisClient> redis = prefix.connect();
  std::string key = prefix.prefix() + ":{m}:q:0";
};

TEST_F(StreamTrimTest, TrimsOnlyEntriesThatWereDeliveredAndAcknowledged) {
  run({"XGROUP", "CREATE", key, "g", "0", "MKSTREAM"});
  add(10);
  const auto delivered = read(6);
  // Acknowledge 0, 1, 3 (without XDEL, as if it had been lost); 2, 4, 5 stay pending.
  for (int i : {0, 1, 3})
    run({"XACK", key, "g", delivered[i]});
  auto trimmed = trim_acknowledged(*redis, key, "g");
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(*trimmed, 2);  // 0 and 1: below the smallest pending id
  EXPECT_EQ(length(), 8);
  for (int i : {2, 4, 5})
    run({"XACK", key, "g", delivered[i]});
  EXPECT_EQ(*trim_acknowledged(*redis, key, "g"), 4);  // 2..5; 6..9 were never delivered
  EXPECT_EQ(length(), 4);
  EXPECT_EQ(read(10).size(), 4u);
}

TEST_F(StreamTrimTest, LeavesStreamsWithoutTheGroupAlone) {
  add(3);
  EXPECT_EQ(*trim_acknowledged(*redis, key, "g"), 0);
  EXPECT_EQ(length(), 3);
  EXPECT_EQ(*trim_acknowledged(*redis, prefix.prefix() + ":none", "g"), 0);
}

TEST(StreamIds, NextIdIncrementsTheSequence) {
  EXPECT_EQ(next_stream_id("1700000000000-0"), "1700000000000-1");
  EXPECT_EQ(next_stream_id("5-41"), "5-42");
  EXPECT_EQ(next_stream_id("garbage"), "");
  EXPECT_EQ(next_stream_id("-1"), "");
}

}  // namespace
}  // namespace bl
