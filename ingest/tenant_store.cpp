#include "ingest/tenant_store.hpp"

#include "core/event_log.hpp"
#include "ingest/command_audit.hpp"
#include "ingest/sealed_text.hpp"

namespace bl {
namespace {

std::string opened_name(const DataKeyring& ring, std::string_view prefix, const std::string& id,
                        const pqxx::field& box) {
  const auto uuid = from_api_id(prefix, id);
  if (!uuid || box.is_null()) return {};
  auto name = open_text(ring, *uuid, pg_view(box));
  if (!name.ok()) {
    log::error("tenant.name_unreadable", {{"id", log::id(id)}});
    return {};
  }
  return std::move(*name);
}

Organization to_organization(const DataKeyring& ring, const pqxx::row& r) {
  Organization o;
  o.id = r[0].as<std::string>();
  o.name = opened_name(ring, id_prefix::kOrganization, o.id, r[1]);
  o.created_ms = r[2].as<std::int64_t>();
  return o;
}

Workspace to_workspace(const DataKeyring& ring, const pqxx::row& r) {
  Workspace w;
  w.id = r[0].as<std::string>();
  w.org_id = r[1].as<std::string>();
  w.name = opened_name(ring, id_prefix::kWorkspace, w.id, r[2]);
  w.created_ms = r[3].as<std::int64_t>();
  return w;
}

constexpr const char* kOrgColumns =
    "org_id, name::text, (extract(epoch FROM created_at) * 1000)::bigint";
constexpr const char* kWorkspaceColumns =
    "workspace_id, org_id, name::text, (extract(epoch FROM created_at) * 1000)::bigint";

}  // namespace

Result<Organization> create_organization(pqxx::transaction_base& tx, const DataKeyring& ring,
                                         std::string_view name, EventMetadata actor) {
  if (auto s = check_name(name, "name"); !s.ok()) return s.error();
  const Uuid uuid = Uuid::generate_v7();
  const std::string id = to_api_id(id_prefix::kOrganization, uuid);
  auto box = seal_text(ring, uuid, name);
  if (!box.ok()) return box.error();
  actor.org_id = id;
  if (auto s = append_events(
          tx, {audit_append({"organizations.create", "organization", id, 201, "", 1}, actor)});
      !s.ok()) {
    return s.error();
  }
  const auto row = tx.exec_params1(std::string("INSERT INTO organizations (org_id, name) VALUES "
                                               "($1, $2::jsonb) RETURNING ") +
                                       kOrgColumns,
                                   id, *box);
  return to_organization(ring, row);
}

Result<Workspace> create_workspace(pqxx::transaction_base& tx, const DataKeyring& ring,
                                   const std::string& org_id, std::string_view name,
                                   EventMetadata actor) {
  if (auto s = check_name(name, "name"); !s.ok()) return s.error();
  if (!find_organization(tx, ring, org_id)) return Error::not_found("no such organization");
  const Uuid uuid = Uuid::generate_v7();
  const std::string id = to_api_id(id_prefix::kWorkspace, uuid);
  auto box = seal_text(ring, uuid, name);
  if (!box.ok()) return box.error();
  actor.org_id = org_id;
  actor.workspace_id = id;
  if (auto s = append_events(
          tx, {audit_append({"workspaces.create", "workspace", id, 201, "", 1}, actor)});
      !s.ok()) {
    return s.error();
  }
  const auto row = tx.exec_params1(
      std::string("INSERT INTO workspaces (workspace_id, org_id, name) VALUES ($1, $2, "
                  "$3::jsonb) RETURNING ") +
          kWorkspaceColumns,
      id, org_id, *box);
  return to_workspace(ring, row);
}

std::optional<Organization> find_organization(pqxx::transaction_base& tx, const DataKeyring& ring,
                                              const std::string& id) {
  const auto rows = tx.exec_params(
      std::string("SELECT ") + kOrgColumns + " FROM organizations WHERE org_id = $1", id);
  if (rows.empty()) return std::nullopt;
  return to_organization(ring, rows[0]);
}

std::optional<Workspace> find_workspace(pqxx::transaction_base& tx, const DataKeyring& ring,
                                        const std::string& id) {
  const auto rows = tx.exec_params(
      std::string("SELECT ") + kWorkspaceColumns + " FROM workspaces WHERE workspace_id = $1", id);
  if (rows.empty()) return std::nullopt;
  return to_workspace(ring, rows[0]);
}

std::vector<Organization> list_organizations(pqxx::transaction_base& tx, const DataKeyring& ring,
                                             const PageRequest& page, bool* has_more) {
  const auto rows = tx.exec_params(std::string("SELECT ") + kOrgColumns +
                                       " FROM organizations WHERE ($1 = '' OR org_id < $1)"
                                       " ORDER BY org_id DESC LIMIT $2",
                                   page.after.value_or(""), page.limit + 1);
  std::vector<Organization> out;
  for (const auto& r : rows)
    out.push_back(to_organization(ring, r));
  *has_more = trim_page(out, page.limit);
  return out;
}

std::vector<Workspace> list_workspaces(pqxx::transaction_base& tx, const DataKeyring& ring,
                                       const std::string& org_id, const PageRequest& page,
                                       bool* has_more) {
  const auto rows =
      tx.exec_params(std::string("SELECT ") + kWorkspaceColumns +
                         " FROM workspaces WHERE org_id = $1 AND ($2 = '' OR workspace_id < $2)"
                         " ORDER BY workspace_id DESC LIMIT $3",
                     org_id, page.after.value_or(""), page.limit + 1);
  std::vector<Workspace> out;
  for (const auto& r : rows)
    out.push_back(to_workspace(ring, r));
  *has_more = trim_page(out, page.limit);
  return out;
}

}  // namespace bl
