#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace bl {
namespace {

TEST(Ids, V7IsTimeOrderedAndUnique) {
  std::set<Uuid> seen;
  Uuid prev = Uuid::generate_v7();
  for (int i = 0; i < 1000; ++i) {
    Uuid u = Uuid::generate_v7();
    EXPECT_GE(u.v7_millis(), prev.v7_millis());
    EXPECT_TRUE(seen.insert(u).second);
    EXPECT_EQ(u.bytes()[6] >> 4, 7);  // version
    prev = u;
  }
}

TEST(Ids, V7IsStrictlyIncreasingWithinAMillisecond) {
  Uuid prev = Uuid::generate_v7();
  int same_ms = 0;
  for (int i = 0; i < 10000; ++i) {
    Uuid u = Uuid::generate_v7();
    ASSERT_LT(prev, u) << i;
    EXPECT_EQ(u.bytes()[8] >> 6, 2);  // RFC 4122 variant
    same_ms += u.v7_millis() == prev.v7_millis();
    prev = u;
  }
  EXPECT_GT(same_ms, 0) << "the loop never generated two ids in one millisecond";
}

TEST(Ids, ParseAndPrintRoundTrip) {
  Uuid u = Uuid::generate_v7();
  EXPECT_EQ(Uuid::parse(u.to_string()), u);
  EXPECT_EQ(Uuid::parse(u.to_hex()), u);
  EXPECT_EQ(Uuid::parse("not-a-uuid"), std::nullopt);
  EXPECT_EQ(Uuid::parse("0123456789abcdef0123456789abcdeg"), std::nullopt);
  EXPECT_EQ(Uuid::parse("01234567-89ab-cdef-0123-456789abcde"), std::nullopt);
}

TEST(Ids, ApiIdsCarryTheirPrefix) {
  Uuid u = Uuid::generate_v7();
  const std::string api = to_api_id(id_prefix::kJob, u);
  EXPECT_EQ(api.rfind("job_", 0), 0u);
  EXPECT_EQ(from_api_id(id_prefix::kJob, api), u);
  EXPECT_EQ(from_api_id(id_prefix::kBatch, api), std::nullopt);
  EXPECT_EQ(from_api_id(id_prefix::kJob, "job_xyz"), std::nullopt);
}

}  // namespace
}  // namespace bl
