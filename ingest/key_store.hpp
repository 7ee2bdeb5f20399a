#pragma once
// API keys (schema/0100_tenants_and_keys.sql): creation, revocation and listing, run in the
// caller's transaction with their CommandAudited event. The secret exists only in the
// CreatedApiKey returned by create_api_key(); the table holds its HMAC (ingest/api_key.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "core/job_events.hpp"
#include "core/pg.hpp"
#include "ingest/list_page.hpp"
#include "ingest/principal.hpp"

namespace bl {

struct ApiKeyRecord {
  std::string id;  // key_<32 hex>
  Scope scope = Scope::kClient;
  std::string org_id;        // empty for operator keys
  std::string workspace_id;  // client keys only
  std::string name;          // may be empty
  std::optional<int> rate_limit_rpm;
  std::string created_by;
  std::int64_t created_ms = 0;
  std::optional<std::int64_t> expires_ms;
  std::optional<std::int64_t> revoked_ms;
  std::optional<std::int64_t> last_used_ms;
};

struct NewApiKey {
  Scope scope = Scope::kClient;
  std::string org_id;        // admin keys; derived from the workspace for client keys
  std::string workspace_id;  // client keys
  std::string name;
  std::optional<std::int64_t> expires_ms;  // must be in the future
  std::optional<int> rate_limit_rpm;
};

struct CreatedApiKey {
  ApiKeyRecord record;
  std::string secret;  // shown once
};

// kNotFound for a workspace or organization that does not exist (or, when `org_scope` is
// set, belongs to another organization); kInvalidArgument for a bad request.
Result<CreatedApiKey> create_api_key(pqxx::transaction_base& tx, const DataKeyring& ring,
                                     std::string_view pepper, const NewApiKey& request,
                                     const std::string& org_scope, EventMetadata actor);

// Revokes a key (a revoked key stays revoked: revoking it again changes nothing). kNotFound
// when it does not exist or, with `org_scope` set, belongs to another organization.
Result<ApiKeyRecord> revoke_api_key(pqxx::transaction_base& tx, const DataKeyring& ring,
                                    const std::string& key_id, const std::string& org_scope,
                                    EventMetadata actor);

std::optional<ApiKeyRecord> find_api_key(pqxx::transaction_base& tx, const DataKeyring& ring,
                                         const std::string& key_id);

struct ApiKeyFilter {
  std::string org_id;        // empty: every organization (operators)
  std::string workspace_id;  // empty: every workspace
  bool include_revoked = false;
};
// Newest first; `after` is the id of the last key of the previous page.
std::vector<ApiKeyRecord> list_api_keys(pqxx::transaction_base& tx, const DataKeyring& ring,
                                        const ApiKeyFilter& filter, const PageRequest& page,
                                        bool* has_more);

}  // namespace bl
