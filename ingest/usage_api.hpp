#pragma once
// Usage and quotas:
//   GET  /v1/usage?group_by=model|key|workspace|day&from=YYYY-MM-DD&to=YYYY-MM-DD
//        sums from the usage read model; a client key sees its workspace, an admin key its
//        organization (from/to default to the current UTC month, at most 366 days)
//   GET  /v1/admin/quota             the organization's monthly limits
//   POST /v1/admin/quota             {"monthly_token_limit": N|null,
//                                     "monthly_cost_limit_nano_usd": N|null}
//   GET  /v1/admin/quota/history     every change: who, when, old and new limits

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

class UsageApi {
 public:
  UsageApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

  void usage(HttpRequest& request, Responder responder);
  void get_quota(HttpRequest& request, Responder responder);
  void set_quota(HttpRequest& request, Responder responder);
  void quota_history(HttpRequest& request, Responder responder);

 private:
  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

}  // namespace bl
