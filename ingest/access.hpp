#pragma once
// Who may call what. Workspace endpoints (jobs, files, batches) need a key of a workspace;
// organization endpoints (keys, workspaces) an admin or operator key; installation endpoints
// (organizations) an operator key. A key of the wrong kind is a 403 that depends only on the
// key, never on the object asked for, so it reveals nothing about other tenants.

#include "core/job_events.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"
#include "ingest/command_audit.hpp"

namespace bl {

Result<Principal> workspace_caller(const Authenticator& auth, const HttpRequest& request);
// An admin of one organization (org_id set) or an operator (org_id empty: any organization).
Result<Principal> admin_caller(const Authenticator& auth, const HttpRequest& request);
Result<Principal> operator_caller(const Authenticator& auth, const HttpRequest& request);

// Event metadata naming the caller and the request.
EventMetadata caller_metadata(const Principal& caller, const HttpRequest& request);

using CallerCheck = Result<Principal> (*)(const Authenticator&, const HttpRequest&);
// For write commands: `check`, and a refusal by the key's kind (403) is audited as `audit`.
Result<Principal> command_caller(CallerCheck check, const Authenticator& auth, PgPool& pool,
                                 const HttpRequest& request, CommandAudit audit);

}  // namespace bl
