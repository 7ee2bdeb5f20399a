#pragma once
// Tenancy over HTTP. Admin keys manage their own organization; operator keys manage the
// installation and name the organization they act on (organization_id).
//   GET|POST /v1/organizations                    operator: list, create
//   GET|POST /v1/organization/workspaces          list, create
//   GET|POST /v1/organization/keys                list (?workspace_id=&include_revoked=),
//                                                 create (the key is in this answer only)
//   GET      /v1/organization/keys/{id}
//   POST     /v1/organization/keys/{id}/revoke    takes effect on every node within a second
// Another organization's workspace or key is answered like a missing one (404).

#include <functional>

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"
#include "ingest/command_audit.hpp"

namespace bl {

class AdminApi {
 public:
  AdminApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

 private:
  using Write = std::function<Result<HttpResponse>(pqxx::transaction_base& tx)>;
  using Read = std::function<Result<HttpResponse>(pqxx::transaction_base& tx)>;
  // Runs `write` in one transaction on a pool thread and commits when it succeeds; a refusal
  // is answered in the error envelope and audited as `audit`.
  void run_write(Responder responder, CommandAudit audit, EventMetadata meta, Write write);
  void run_read(Responder responder, Read read);

  void create_organization(HttpRequest& request, Responder responder);
  void list_organizations(HttpRequest& request, Responder responder);
  void create_workspace(HttpRequest& request, Responder responder);
  void list_workspaces(HttpRequest& request, Responder responder);
  void create_key(HttpRequest& request, Responder responder);
  void list_keys(HttpRequest& request, Responder responder);
  void get_key(HttpRequest& request, Responder responder);
  void revoke_key(HttpRequest& request, Responder responder);

  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

}  // namespace bl
