#pragma once
// Authentication of API requests. A key arrives as "Authorization: Bearer <key>" or
// "x-api-key: <key>". authenticate() runs on the event-loop thread, so it must not block:
// implementations answer from memory (a cache kept fresh by a background thread).

#include <memory>

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "ingest/principal.hpp"

namespace bl {

// The key a request presents, or empty.
std::string presented_key(const HttpRequest& request);

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // kUnauthenticated for a missing, unknown, revoked or expired key.
  virtual Result<Principal> authenticate(const HttpRequest& request) const = 0;
};

// Accepts only the development keys from configuration: BL_DEV_API_KEY as a client of
// workspace "ws_dev" in organization "org_dev", BL_DEV_ADMIN_API_KEY as that org's admin,
// BL_DEV_OTHER_API_KEY as a client of workspace "ws_dev_other" in "org_dev_other" (a second
// tenant, for isolation tests). The ingest role uses KeyAuthenticator
// (ingest/key_authenticator.hpp), which accepts these keys too, next to the database's.
class DevKeyAuthenticator final : public Authenticator {
 public:
  explicit DevKeyAuthenticator(const Config& config) : config_(config) {}
  Result<Principal> authenticate(const HttpRequest& request) const override;

 private:
  const Config& config_;
};

}  // namespace bl
