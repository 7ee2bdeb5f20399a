#include "core/ids.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <cstring>
#include <mutex>

namespace bl {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

// Ids of one process are strictly increasing, also within a millisecond (RFC 9562, 6.2,
// method 1): rand_a and the top 30 bits of rand_b form a counter that starts at a random
// value below 2^41 each millisecond and counts up; the clock never goes back for it.
Uuid Uuid::generate_v7() {
  static std::mutex mutex;
  static std::uint64_t last_ms = 0;
  static std::uint64_t counter = 0;  // 42 bits
  std::array<std::uint8_t, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // OpenSSL's DRBG only fails when the OS cannot seed it; ids would not be unique.
    std::abort();
  }
  auto ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  {
    std::lock_guard lock(mutex);
    if (ms > last_ms) {
      last_ms = ms;
      std::uint64_t seed = 0;
      std::memcpy(&seed, b.data() + 8, sizeof(seed));
      counter = seed & ((std::uint64_t{1} << 41) - 1);
    } else {
      ms = last_ms;
      if (++counter >> 42 != 0) {  // 2^41 ids in one millisecond: borrow the next one
        ms = ++last_ms;
        counter = 0;
      }
    }
  }
  for (int i = 0; i < 6; ++i)
    b[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  b[6] = static_cast<std::uint8_t>(0x70 | ((counter >> 38) & 0x0f));  // version 7
  b[7] = static_cast<std::uint8_t>(counter >> 30);
  b[8] = static_cast<std::uint8_t>(0x80 | ((counter >> 24) & 0x3f));  // RFC 4122 variant
  b[9] = static_cast<std::uint8_t>(counter >> 16);
  b[10] = static_cast<std::uint8_t>(counter >> 8);
  b[11] = static_cast<std::uint8_t>(counter);
  return Uuid(b);
}

std::optional<Uuid> Uuid::parse(std::string_view text) {
  std::array<std::uint8_t, 16> b{};
  std::size_t n = 0;
  int half = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '-') {
      if (text.size() != 36 || (i != 8 && i != 13 && i != 18 && i != 23)) return std::nullopt;
      continue;
    }
    const int v = hex_value(c);
    if (v < 0 || n >= 16) return std::nullopt;
    if (half < 0) {
      half = v;
    } else {
      b[n++] = static_cast<std::uint8_t>(half << 4 | v);
      half = -1;
    }
  }
  if (n != 16 || half >= 0) return std::nullopt;
  if (text.size() != 32 && text.size() != 36) return std::nullopt;
  return Uuid(b);
}

std::string Uuid::to_string() const {
  std::string s;
  s.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[bytes_[i] >> 4]);
    s.push_back(kHex[bytes_[i] & 0xf]);
  }
  return s;
}

std::string Uuid::to_hex() const {
  std::string s;
  s.reserve(32);
  for (auto byte : bytes_) {
    s.push_back(kHex[byte >> 4]);
    s.push_back(kHex[byte & 0xf]);
  }
  return s;
}

bool Uuid::is_nil() const {
  for (auto byte : bytes_) {
    if (byte != 0) return false;
  }
  return true;
}

std::int64_t Uuid::v7_millis() const {
  std::uint64_t ms = 0;
  for (int i = 0; i < 6; ++i)
    ms = ms << 8 | bytes_[i];
  return static_cast<std::int64_t>(ms);
}

std::int64_t Uuid::lock_key() const {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  std::memcpy(&hi, bytes_.data(), 8);
  std::memcpy(&lo, bytes_.data() + 8, 8);
  return static_cast<std::int64_t>(hi * 0x9e3779b97f4a7c15ULL ^ lo);
}

std::size_t UuidHash::operator()(const Uuid& u) const {
  return static_cast<std::size_t>(u.lock_key());
}

std::string to_api_id(std::string_view prefix, const Uuid& id) {
  std::string s(prefix);
  s += id.to_hex();
  return s;
}

std::optional<Uuid> from_api_id(std::string_view prefix, std::string_view api_id) {
  if (api_id.size() != prefix.size() + 32 || api_id.substr(0, prefix.size()) != prefix) {
    return std::nullopt;
  }
  return Uuid::parse(api_id.substr(prefix.size()));
}

}  // namespace bl
