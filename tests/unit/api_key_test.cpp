#include "ingest/api_key.hpp"

#include <gtest/gtest.h>

#include <set>

namespace bl {
namespace {

TEST(ApiKey, HasThePrefixAndThirtyTwoRandomBytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string key = generate_api_key();
    EXPECT_EQ(key.rfind("bl_", 0), 0u);
    EXPECT_EQ(key.size(), 3u + 43u);  // base64url of 32 bytes, unpadded
    EXPECT_TRUE(looks_like_api_key(key)) << key;
    seen.insert(key);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(ApiKey, ShapeCheckRejectsOtherStrings) {
  const std::string key = generate_api_key();
  EXPECT_FALSE(looks_like_api_key(""));
  EXPECT_FALSE(looks_like_api_key("sk-" + key.substr(3)));
  EXPECT_FALSE(looks_like_api_key(key.substr(0, key.size() - 1)));
  EXPECT_FALSE(looks_like_api_key(key + "A"));
  std::string spaced = key;
  spaced[10] = ' ';
  EXPECT_FALSE(looks_like_api_key(spaced));
}

TEST(ApiKey, HashDependsOnThePepper) {
  const std::string key = generate_api_key();
  const std::string a = api_key_hash("pepper-one-0123456789", key);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a, api_key_hash("pepper-one-0123456789", key));
  EXPECT_NE(a, api_key_hash("pepper-two-0123456789", key));
  EXPECT_EQ(a.find(key), std::string::npos);
}

TEST(ApiKey, PepperMustBeLongEnough) {
  EXPECT_FALSE(check_pepper("").ok());
  EXPECT_FALSE(check_pepper("short").ok());
  EXPECT_TRUE(check_pepper("0123456789abcdef").ok());
}

}  // namespace
}  // namespace bl
