#pragma once
// The gate in front of every /v1 route, applied to the whole router once all APIs have added
// their routes (so routes added later by any API get it too):
//   1. authentication: 401 for a missing, unknown, revoked or expired key (503 while the key
//      cache is too stale to trust);
//   2. the per-key rate limit: 429 with Retry-After (seconds, < 60);
//   3. for POST, Idempotency-Key (ingest/idempotency.hpp): replay, 409, or run and record.
// Handlers then authenticate again (an in-memory lookup) to get their Principal. Rejections
// here are counted and logged, not audited: no command ran.

#include <memory>
#include <string>

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/key_authenticator.hpp"
#include "ingest/rate_limiter.hpp"

namespace bl {

class RequestGate {
 public:
  RequestGate(const Config& config, const KeyAuthenticator& auth, KeyRateLimiter& limiter,
              PgPool& pool)
      : config_(config), auth_(auth), limiter_(limiter), pool_(pool) {}

  // Wraps every route under /v1/.
  void protect(Router& router);

 private:
  // Applies Idempotency-Key, then runs the route's handler.
  void after_rate_limit(std::shared_ptr<HttpRequest> request, Principal caller,
                        std::shared_ptr<const HttpHandler> next, Responder responder);

  const Config& config_;
  const KeyAuthenticator& auth_;
  KeyRateLimiter& limiter_;
  PgPool& pool_;
};

}  // namespace bl
