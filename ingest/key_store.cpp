#include "ingest/key_store.hpp"

#include "core/event_log.hpp"
#include "ingest/api_key.hpp"
#include "ingest/command_audit.hpp"
#include "ingest/pool_replies.hpp"
#include "ingest/sealed_text.hpp"
#include "ingest/tenant_store.hpp"

namespace bl {
namespace {

constexpr const char* kKeyColumns =
    "key_id, scope, coalesce(org_id, ''), coalesce(workspace_id, ''), name::text,"
    " rate_limit_rpm, created_by, (extract(epoch FROM created_at) * 1000)::bigint,"
    " (extract(epoch FROM expires_at) * 1000)::bigint,"
    " (extract(epoch FROM revoked_at) * 1000)::bigint,"
    " (extract(epoch FROM last_used_at) * 1000)::bigint";

std::optional<std::int64_t> opt_ms(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::int64_t>(f.as<std::int64_t>());
}

ApiKeyRecord to_record(const DataKeyring& ring, const pqxx::row& r) {
  ApiKeyRecord k;
  k.id = r[0].as<std::string>();
  k.scope = parse_scope(pg_view(r[1])).value_or(Scope::kClient);
  k.org_id = r[2].as<std::string>();
  k.workspace_id = r[3].as<std::string>();
  if (!r[4].is_null()) {
    const auto uuid = from_api_id(id_prefix::kApiKey, k.id);
    auto name = uuid ? open_text(ring, *uuid, pg_view(r[4])) : Result<std::string>(Error{});
    if (name.ok()) {
      k.name = std::move(*name);
    } else {
      log::error("api_key.name_unreadable", {{"key_id", log::id(k.id)}});
    }
  }
  if (!r[5].is_null()) k.rate_limit_rpm = r[5].as<int>();
  k.created_by = r[6].as<std::string>();
  k.created_ms = r[7].as<std::int64_t>();
  k.expires_ms = opt_ms(r[8]);
  k.revoked_ms = opt_ms(r[9]);
  k.last_used_ms = opt_ms(r[10]);
  return k;
}

// Fills in the organization of a client key from its workspace and checks that the owner
// exists (and lies in org_scope when that is set).
Status resolve_owner(pqxx::transaction_base& tx, const DataKeyring& ring, NewApiKey& k,
                     const std::string& org_scope) {
  switch (k.scope) {
    case Scope::kClient: {
      if (k.workspace_id.empty()) return Error::invalid("a client key needs a workspace");
      auto ws = find_workspace(tx, ring, k.workspace_id);
      if (!ws || (!org_scope.empty() && ws->org_id != org_scope)) {
        return Error::not_found("no such workspace");
      }
      k.org_id = ws->org_id;
      return {};
    }
    case Scope::kAdmin:
      if (!k.workspace_id.empty()) {
        return Error::invalid("an admin key belongs to an organization, not a workspace");
      }
      if (k.org_id.empty()) return Error::invalid("an admin key needs an organization");
      if ((!org_scope.empty() && k.org_id != org_scope) || !find_organization(tx, ring, k.org_id))
        return Error::not_found("no such organization");
      return {};
    case Scope::kOperator:
      if (!org_scope.empty()) return Error{ErrorCode::kPermissionDenied, "operators only"};
      if (!k.org_id.empty() || !k.workspace_id.empty()) {
        return Error::invalid("an operator key belongs to no organization");
      }
      return {};
  }
  return Error::invalid("unknown scope");
}

}  // namespace

Result<CreatedApiKey> create_api_key(pqxx::transaction_base& tx, const DataKeyring& ring,
                                     std::string_view pepper, const NewApiKey& request,
                                     const std::string& org_scope, EventMetadata actor) {
  if (auto s = check_pepper(pepper); !s.ok()) return s.error();
  NewApiKey k = request;
  if (!k.name.empty()) {
    if (auto s = check_name(k.name, "name"); !s.ok()) return s.error();
  }
  if (k.expires_ms && *k.expires_ms <= unix_now_ms()) {
    return Error::invalid("expires_at must be in the future");
  }
  if (k.rate_limit_rpm && *k.rate_limit_rpm < 1) {
    return Error::invalid("rate_limit_rpm must be a positive integer");
  }
  if (auto s = resolve_owner(tx, ring, k, org_scope); !s.ok()) return s.error();

  const Uuid uuid = Uuid::generate_v7();
  const std::string id = to_api_id(id_prefix::kApiKey, uuid);
  std::string name_box;  // empty: no name
  if (!k.name.empty()) {
    auto box = seal_text(ring, uuid, k.name);
    if (!box.ok()) return box.error();
    name_box = std::move(*box);
  }
  const std::string secret = generate_api_key();
  actor.org_id = k.org_id;
  actor.workspace_id = k.workspace_id;
  if (auto s = append_events(tx, {audit_append({"keys.create", "api_key", id, 201, "", 1}, actor)});
      !s.ok()) {
    return s.error();
  }
  const std::string creator = actor.key_id.empty() ? std::string("cli") : actor.key_id;
  const auto row = tx.exec_params1(
      std::string("INSERT INTO api_keys (key_id, key_hash, scope, org_id, workspace_id, name,"
                  " rate_limit_rpm, created_by, expires_at) VALUES ($1, $2, $3, nullif($4, ''),"
                  " nullif($5, ''), nullif($6, '')::jsonb, nullif($7::int, 0), $8,"
                  " CASE WHEN $9::bigint = 0 THEN NULL ELSE to_timestamp($9::bigint / 1000.0) END)"
                  " RETURNING ") +
          kKeyColumns,
      id, pqxx::binarystring(api_key_hash(pepper, secret)), std::string(scope_name(k.scope)),
      k.org_id, k.workspace_id, name_box, k.rate_limit_rpm.value_or(0), creator,
      k.expires_ms.value_or(0));
  return CreatedApiKey{to_record(ring, row), secret};
}

Result<ApiKeyRecord> revoke_api_key(pqxx::transaction_base& tx, const DataKeyring& ring,
                                    const std::string& key_id, const std::string& org_scope,
                                    EventMetadata actor) {
  auto current = find_api_key(tx, ring, key_id);
  if (!current || (!org_scope.empty() && current->org_id != org_scope)) {
    return Error::not_found("no such API key");
  }
  actor.org_id = current->org_id;
  actor.workspace_id = current->workspace_id;
  if (auto s =
          append_events(tx, {audit_append({"keys.revoke", "api_key", key_id, 200, "", 1}, actor)});
      !s.ok()) {
    return s.error();
  }
  if (current->revoked_ms) return *current;
  const auto row = tx.exec_params1(std::string("UPDATE api_keys SET revoked_at = now()"
                                               " WHERE key_id = $1 RETURNING ") +
                                       kKeyColumns,
                                   key_id);
  return to_record(ring, row);
}

std::optional<ApiKeyRecord> find_api_key(pqxx::transaction_base& tx, const DataKeyring& ring,
                                         const std::string& key_id) {
  const auto rows = tx.exec_params(
      std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE key_id = $1", key_id);
  if (rows.empty()) return std::nullopt;
  return to_record(ring, rows[0]);
}

std::vector<ApiKeyRecord> list_api_keys(pqxx::transaction_base& tx, const DataKeyring& ring,
                                        const ApiKeyFilter& filter, const PageRequest& page,
                                        bool* has_more) {
  const auto rows = tx.exec_params(
      std::string("SELECT ") + kKeyColumns +
          " FROM api_keys WHERE ($1 = '' OR org_id = $1) AND ($2 = '' OR workspace_id = $2)"
          " AND ($3 OR revoked_at IS NULL) AND ($4 = '' OR key_id < $4)"
          " ORDER BY key_id DESC LIMIT $5",
      filter.org_id, filter.workspace_id, filter.include_revoked, page.after.value_or(""),
      page.limit + 1);
  std::vector<ApiKeyRecord> out;
  for (const auto& r : rows)
    out.push_back(to_record(ring, r));
  *has_more = trim_page(out, page.limit);
  return out;
}

}  // namespace bl
