#include "ingest/key_authenticator.hpp"

#include "ingest/api_key.hpp"

namespace bl {

Result<Caller> KeyAuthenticator::identify(const HttpRequest& request) const {
  const std::string key = presented_key(request);
  if (key.empty()) return Error{ErrorCode::kUnauthenticated, "missing API key"};
  if (auto dev = dev_keys_.authenticate(request); dev.ok()) {
    return Caller{std::move(*dev), 0, false};
  }
  if (!looks_like_api_key(key) || config_.key_pepper.empty()) {
    return Error{ErrorCode::kUnauthenticated, "invalid API key"};
  }
  auto found = cache_.find(api_key_hash(config_.key_pepper, key));
  if (!found.ok()) return found.error();
  cache_.record_use(found->principal.key_id);
  return Caller{std::move(found->principal), found->rate_limit_rpm, true};
}

Result<Principal> KeyAuthenticator::authenticate(const HttpRequest& request) const {
  auto caller = identify(request);
  if (!caller.ok()) return caller.error();
  return std::move(caller->principal);
}

}  // namespace bl
