#include "ingest/api_key.hpp"

#include <cctype>

#include "core/crypto.hpp"

namespace bl {
namespace {

// base64url of 32 bytes without padding.
constexpr std::size_t kEncodedBytes = (kApiKeyRandomBytes * 4 + 2) / 3;

}  // namespace

std::string generate_api_key() {
  return std::string(kApiKeyPrefix) + base64url_encode(random_bytes(kApiKeyRandomBytes));
}

bool looks_like_api_key(std::string_view key) {
  if (key.size() != kApiKeyPrefix.size() + kEncodedBytes) return false;
  if (key.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) return false;
  for (char c : key.substr(kApiKeyPrefix.size())) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

std::string api_key_hash(std::string_view pepper, std::string_view key) {
  return hmac_sha256(pepper, key);
}

Status check_pepper(std::string_view pepper) {
  if (pepper.size() < kMinPepperBytes) {
    return Error::invalid("BL_KEY_PEPPER must be set to a secret of at least " +
                          std::to_string(kMinPepperBytes) + " bytes");
  }
  return {};
}

}  // namespace bl
