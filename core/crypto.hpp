#pragma once
// Cryptographic primitives on OpenSSL 3: random bytes, encodings, HMAC-SHA256, constant-time
// comparison, and sealing of content with AES-256-GCM under rotating data keys.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bl {

std::string random_bytes(std::size_t n);
std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);
std::string base64url_encode(std::string_view bytes);  // no padding
std::string hex_encode(std::string_view bytes);
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string sha256(std::string_view data);
// Compares in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// Content sealed under one data key: the key id travels beside the ciphertext so that keys can
// rotate (old keys stay in the ring for reading).
struct SealedBox {
  std::string key_id;
  std::string nonce;       // 12 bytes
  std::string ciphertext;  // ciphertext followed by the 16-byte GCM tag
};

class DataKeyring {
 public:
  static constexpr std::size_t kKeyBytes = 32;

  // key must be kKeyBytes long.
  Status add_key(std::string key_id, std::string key);
  Status set_active(const std::string& key_id);
  bool empty() const { return keys_.empty(); }
  const std::string& active_key_id() const { return active_; }

  // aad binds the box to its context (the stream id), so a box cannot be moved to another job.
  Result<SealedBox> seal(std::string_view plaintext, std::string_view aad) const;
  Result<std::string> open(const SealedBox& box, std::string_view aad) const;

 private:
  std::map<std::string, std::string> keys_;
  std::string active_;
};

}  // namespace bl
