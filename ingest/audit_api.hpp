#pragma once
// The audit API for admins (an admin key sees its own organization, an operator key all):
//   GET /v1/admin/audit?action=&actor_key_id=&target_type=&target_id=&outcome=&from=&to=
//                      &limit=&after=          newest first, list envelope
//   GET /v1/admin/audit/export?format=csv|json&<same filters>
//                      every matching record, read in pages of kExportPage rows
//   GET /v1/admin/audit/stats?<same filters>  counts per action and outcome
// from/to: unix seconds or YYYY-MM-DD (UTC), from inclusive, to exclusive.

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

class AuditApi {
 public:
  AuditApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

  void list(HttpRequest& request, Responder responder);
  void export_records(HttpRequest& request, Responder responder);
  void stats(HttpRequest& request, Responder responder);

 private:
  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

}  // namespace bl
