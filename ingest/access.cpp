#include "ingest/access.hpp"

namespace bl {

Result<Principal> workspace_caller(const Authenticator& auth, const HttpRequest& request) {
  auto p = auth.authenticate(request);
  if (!p.ok()) return p;
  if (p->workspace_id.empty()) {
    return Error{ErrorCode::kPermissionDenied,
                 "this endpoint needs a client key of a workspace; this key has none"};
  }
  return p;
}

Result<Principal> admin_caller(const Authenticator& auth, const HttpRequest& request) {
  auto p = auth.authenticate(request);
  if (!p.ok()) return p;
  if (p->scope == Scope::kClient) {
    return Error{ErrorCode::kPermissionDenied, "this endpoint needs an admin key"};
  }
  return p;
}

Result<Principal> operator_caller(const Authenticator& auth, const HttpRequest& request) {
  auto p = auth.authenticate(request);
  if (!p.ok()) return p;
  if (p->scope != Scope::kOperator) {
    return Error{ErrorCode::kPermissionDenied, "this endpoint needs an operator key"};
  }
  return p;
}

EventMetadata caller_metadata(const Principal& caller, const HttpRequest& request) {
  return EventMetadata{caller.org_id, caller.workspace_id, caller.key_id, request.request_id,
                       std::nullopt};
}

}  // namespace bl

namespace bl {

Result<Principal> command_caller(CallerCheck check, const Authenticator& auth, PgPool& pool,
                                 const HttpRequest& request, CommandAudit audit) {
  auto caller = check(auth, request);
  if (caller.ok() || caller.error().code != ErrorCode::kPermissionDenied) return caller;
  auto who = auth.authenticate(request);
  if (who.ok()) {
    audit.status = 403;
    audit.error_code = error_code_name(ErrorCode::kPermissionDenied);
    record_rejected_command(pool, std::move(audit), caller_metadata(*who, request));
  }
  return caller;
}

}  // namespace bl
