#pragma once
// The API key format and its stored form. A key is "bl_" followed by 32 random bytes from
// OpenSSL's RNG in base64url (46 characters). It is shown once, at creation; the database
// keeps only HMAC-SHA256(pepper, key), so a stolen database does not yield usable keys and a
// guess cannot be checked without the pepper.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bl {

inline constexpr std::string_view kApiKeyPrefix = "bl_";
inline constexpr std::size_t kApiKeyRandomBytes = 32;
inline constexpr std::size_t kMinPepperBytes = 16;

std::string generate_api_key();
// True when `key` has the shape of a Batchline key (prefix, length, alphabet).
bool looks_like_api_key(std::string_view key);
// The stored form: 32 raw bytes.
std::string api_key_hash(std::string_view pepper, std::string_view key);
// kInvalidArgument unless the pepper is long enough to key an HMAC.
Status check_pepper(std::string_view pepper);

}  // namespace bl
