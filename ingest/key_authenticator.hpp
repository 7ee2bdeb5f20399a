#pragma once
// The ingest node's Authenticator: API keys from the database (through the KeyCache) and the
// development keys of configuration (DevKeyAuthenticator, ingest/auth.hpp). Runs on the event loop
// and never blocks: one HMAC and a hash lookup.

#include "config/config.hpp"
#include "ingest/auth.hpp"
#include "ingest/key_cache.hpp"

namespace bl {

struct Caller {
  Principal principal;
  int rate_limit_rpm = 0;    // 0: the configured default
  bool rate_limited = true;  // development keys are not
};

class KeyAuthenticator final : public Authenticator {
 public:
  KeyAuthenticator(const Config& config, KeyCache& cache)
      : config_(config), cache_(cache), dev_keys_(config) {}
  Result<Principal> authenticate(const HttpRequest& request) const override;
  // The caller with what the rate limiter needs; records the key's use.
  Result<Caller> identify(const HttpRequest& request) const;

 private:
  const Config& config_;
  KeyCache& cache_;
  DevKeyAuthenticator dev_keys_;
};

}  // namespace bl
