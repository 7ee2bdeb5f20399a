#include "ingest/auth.hpp"

#include "core/crypto.hpp"

namespace bl {

std::string presented_key(const HttpRequest& request) {
  if (const std::string* auth = request.header("authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (auth->size() > kBearer.size() &&
        std::string_view(*auth).substr(0, kBearer.size()) == kBearer) {
      return auth->substr(kBearer.size());
    }
  }
  if (const std::string* key = request.header("x-api-key")) return *key;
  return {};
}

Result<Principal> DevKeyAuthenticator::authenticate(const HttpRequest& request) const {
  const std::string key = presented_key(request);
  if (key.empty()) return Error{ErrorCode::kUnauthenticated, "missing API key"};
  if (!config_.dev_api_key.empty() && constant_time_equal(key, config_.dev_api_key)) {
    return Principal{"org_dev", "ws_dev", "key_dev", Scope::kClient};
  }
  if (!config_.dev_admin_api_key.empty() && constant_time_equal(key, config_.dev_admin_api_key)) {
    return Principal{"org_dev", "ws_dev", "key_dev_admin", Scope::kAdmin};
  }
  if (!config_.dev_other_api_key.empty() && constant_time_equal(key, config_.dev_other_api_key)) {
    return Principal{"org_dev_other", "ws_dev_other", "key_dev_other", Scope::kClient};
  }
  return Error{ErrorCode::kUnauthenticated, "invalid API key"};
}

}  // namespace bl
