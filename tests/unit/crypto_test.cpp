#include "core/crypto.hpp"

#include <gtest/gtest.h>

namespace bl {
namespace {

DataKeyring ring_with(const std::string& id) {
  DataKeyring ring;
  EXPECT_TRUE(ring.add_key(id, random_bytes(32)).ok());
  EXPECT_TRUE(ring.set_active(id).ok());
  return ring;
}

TEST(Crypto, SealThenOpenRoundTrips) {
  DataKeyring ring = ring_with("k1");
  auto box = ring.seal("the prompt", "stream-a");
  ASSERT_TRUE(box.ok());
  EXPECT_EQ(box->key_id, "k1");
  EXPECT_EQ(box->ciphertext.find("the prompt"), std::string::npos);
  auto plain = ring.open(*box, "stream-a");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "the prompt");
}

TEST(Crypto, OpenFailsForAnotherStream) {
  DataKeyring ring = ring_with("k1");
  auto box = ring.seal("secret", "stream-a");
  ASSERT_TRUE(box.ok());
  EXPECT_FALSE(ring.open(*box, "stream-b").ok());
}

TEST(Crypto, OpenFailsWhenTampered) {
  DataKeyring ring = ring_with("k1");
  auto box = ring.seal("secret", "s");
  ASSERT_TRUE(box.ok());
  box->ciphertext[0] ^= 1;
  EXPECT_FALSE(ring.open(*box, "s").ok());
}

TEST(Crypto, RotatedKeysStillOpenOldContent) {
  DataKeyring ring;
  ASSERT_TRUE(ring.add_key("old", random_bytes(32)).ok());
  ASSERT_TRUE(ring.set_active("old").ok());
  auto old_box = ring.seal("written before rotation", "s");
  ASSERT_TRUE(ring.add_key("new", random_bytes(32)).ok());
  ASSERT_TRUE(ring.set_active("new").ok());
  auto new_box = ring.seal("written after", "s");
  EXPECT_EQ(new_box->key_id, "new");
  EXPECT_EQ(*ring.open(*old_box, "s"), "written before rotation");
  EXPECT_EQ(*ring.open(*new_box, "s"), "written after");
}

TEST(Crypto, RejectsKeysOfTheWrongSize) {
  DataKeyring ring;
  EXPECT_FALSE(ring.add_key("k", random_bytes(16)).ok());
  EXPECT_FALSE(ring.set_active("k").ok());
}

TEST(Crypto, Base64RoundTripsAllLengths) {
  for (std::size_t n = 0; n < 40; ++n) {
    const std::string bytes = random_bytes(n);
    auto back = base64_decode(base64_encode(bytes));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, bytes) << n;
  }
  EXPECT_FALSE(base64_decode("abc").ok());
  EXPECT_FALSE(base64_decode("ab!?").ok());
}

TEST(Crypto, HmacMatchesRfc4231Case2) {
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, ConstantTimeEqualComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

}  // namespace
}  // namespace bl
