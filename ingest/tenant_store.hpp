#pragma once
// Organizations and workspaces (schema/0100_tenants_and_keys.sql). Every function runs in
// the caller's transaction; every change appends its CommandAudited event to it, so a change
// and its audit record commit together. Ids are org_<32 hex> and ws_<32 hex> (UUIDv7).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "core/job_events.hpp"
#include "core/pg.hpp"
#include "ingest/list_page.hpp"

namespace bl {

struct Organization {
  std::string id;
  std::string name;
  std::int64_t created_ms = 0;
};

struct Workspace {
  std::string id;
  std::string org_id;
  std::string name;
  std::int64_t created_ms = 0;
};

// `actor` names who acts (metadata of the audit event); its org is set to the new org.
Result<Organization> create_organization(pqxx::transaction_base& tx, const DataKeyring& ring,
                                         std::string_view name, EventMetadata actor);
// kNotFound when the organization does not exist.
Result<Workspace> create_workspace(pqxx::transaction_base& tx, const DataKeyring& ring,
                                   const std::string& org_id, std::string_view name,
                                   EventMetadata actor);

std::optional<Organization> find_organization(pqxx::transaction_base& tx, const DataKeyring& ring,
                                              const std::string& id);
std::optional<Workspace> find_workspace(pqxx::transaction_base& tx, const DataKeyring& ring,
                                        const std::string& id);

// Newest first; `after` is the id of the last item of the previous page.
std::vector<Organization> list_organizations(pqxx::transaction_base& tx, const DataKeyring& ring,
                                             const PageRequest& page, bool* has_more);
std::vector<Workspace> list_workspaces(pqxx::transaction_base& tx, const DataKeyring& ring,
                                       const std::string& org_id, const PageRequest& page,
                                       bool* has_more);

}  // namespace bl
