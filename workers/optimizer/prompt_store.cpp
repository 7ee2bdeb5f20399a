#include "workers/optimizer/prompt_store.hpp"

#include "core/sealed_text.hpp"

namespace bl {
namespace {

Result<std::vector<PromptVersion>> read_versions(pqxx::transaction_base& tx,
                                                 const DataKeyring& ring, const Uuid& prompt,
                                                 bool latest_only) {
  const auto rows = tx.exec_params(
      std::string("SELECT version, state, content::text, coalesce(source_type, ''), "
                  "coalesce(source_id, ''), (extract(epoch from created_at) * 1000)::bigint "
                  "FROM prompt_versions WHERE prompt_id = $1::uuid ORDER BY version") +
          (latest_only ? " DESC LIMIT 1" : ""),
      prompt.to_string());
  std::vector<PromptVersion> out;
  for (const auto& r : rows) {
    PromptVersion v;
    v.version = r[0].as<int>();
    v.state = r[1].as<std::string>();
    auto content = open_text(ring, prompt, pg_view(r[2]));
    if (!content.ok()) return content.error();
    v.content = std::move(*content);
    v.source_type = r[3].as<std::string>();
    v.source_id = r[4].as<std::string>();
    v.created_ms = r[5].as<std::int64_t>();
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

Status insert_prompt_version(pqxx::transaction_base& tx, const DataKeyring& ring,
                             const Uuid& prompt, const PromptVersion& v) {
  auto sealed = seal_text(ring, prompt, v.content);
  if (!sealed.ok()) return sealed.error();
  tx.exec_params(
      "INSERT INTO prompt_versions (prompt_id, version, state, content, source_type, source_id) "
      "VALUES ($1::uuid, $2, $3, $4::jsonb, nullif($5, ''), nullif($6, ''))",
      prompt.to_string(), v.version, v.state, *sealed, v.source_type, v.source_id);
  return {};
}

namespace {

Result<PromptRecord> record_of(pqxx::transaction_base& tx, const DataKeyring& ring,
                               const pqxx::row& r, bool latest_only) {
  PromptRecord p;
  p.id = *Uuid::parse(pg_view(r[0]));
  auto name = open_text(ring, p.id, pg_view(r[1]));
  if (!name.ok()) return name.error();
  p.name = std::move(*name);
  p.created_ms = r[2].as<std::int64_t>();
  auto versions = read_versions(tx, ring, p.id, latest_only);
  if (!versions.ok()) return versions.error();
  p.versions = std::move(*versions);
  return p;
}

constexpr const char* kPromptColumns =
    "SELECT prompt_id::text, name::text, (extract(epoch from created_at) * 1000)::bigint "
    "FROM prompts ";

}  // namespace

bool is_prompt_state(std::string_view state) {
  return state == "draft" || state == "published" || state == "archived";
}

Result<PromptRecord> create_prompt(pqxx::transaction_base& tx, const DataKeyring& ring,
                                   const Uuid& id, const std::string& org,
                                   const std::string& workspace, const std::string& name,
                                   const PromptVersion& first) {
  PromptRecord p;
  p.id = id;
  p.name = name;
  p.created_ms = p.id.v7_millis();
  auto sealed_name = seal_text(ring, p.id, name);
  if (!sealed_name.ok()) return sealed_name.error();
  tx.exec_params(
      "INSERT INTO prompts (prompt_id, org_id, workspace_id, name) "
      "VALUES ($1::uuid, $2, $3, $4::jsonb)",
      p.id.to_string(), org, workspace, *sealed_name);
  PromptVersion v = first;
  v.version = 1;
  v.created_ms = p.created_ms;
  if (auto s = insert_prompt_version(tx, ring, p.id, v); !s.ok()) return s.error();
  p.versions.push_back(std::move(v));
  return p;
}

Result<std::optional<PromptVersion>> add_prompt_version(pqxx::transaction_base& tx,
                                                        const DataKeyring& ring, const Uuid& prompt,
                                                        const std::string& workspace,
                                                        PromptVersion version) {
  const auto owned = tx.exec_params(
      "SELECT 1 FROM prompts WHERE prompt_id = $1::uuid AND workspace_id = $2 FOR UPDATE",
      prompt.to_string(), workspace);
  if (owned.empty()) return std::optional<PromptVersion>();
  const int last = tx.exec_params1(
                         "SELECT coalesce(max(version), 0) FROM prompt_versions "
                         "WHERE prompt_id = $1::uuid",
                         prompt.to_string())[0]
                       .as<int>();
  if (static_cast<std::size_t>(last) >= kMaxPromptVersions) {
    return Error::conflict("a prompt may have at most 1000 versions");
  }
  version.version = last + 1;
  if (auto s = insert_prompt_version(tx, ring, prompt, version); !s.ok()) return s.error();
  return std::optional<PromptVersion>(std::move(version));
}

Result<std::optional<PromptRecord>> find_prompt(pqxx::transaction_base& tx, const DataKeyring& ring,
                                                const Uuid& prompt, const std::string& workspace) {
  const auto rows = tx.exec_params(
      std::string(kPromptColumns) + "WHERE prompt_id = $1::uuid AND workspace_id = $2",
      prompt.to_string(), workspace);
  if (rows.empty()) return std::optional<PromptRecord>();
  auto p = record_of(tx, ring, rows[0], false);
  if (!p.ok()) return p.error();
  return std::optional<PromptRecord>(std::move(*p));
}

Result<std::vector<PromptRecord>> list_prompts(pqxx::transaction_base& tx, const DataKeyring& ring,
                                               const std::string& workspace,
                                               const std::optional<Uuid>& before, int limit) {
  const auto rows = tx.exec_params(
      std::string(kPromptColumns) +
          "WHERE workspace_id = $1 AND ($2 = '' OR prompt_id < nullif($2, '')::uuid) "
          "ORDER BY prompt_id DESC LIMIT $3",
      workspace, before ? before->to_string() : std::string(), limit);
  std::vector<PromptRecord> out;
  for (const auto& r : rows) {
    auto p = record_of(tx, ring, r, true);
    if (!p.ok()) return p.error();
    out.push_back(std::move(*p));
  }
  return out;
}

std::optional<int> next_prompt_version(pqxx::transaction_base& tx, const Uuid& prompt,
                                       const std::string& workspace) {
  const auto rows = tx.exec_params(
      "SELECT coalesce((SELECT max(version) FROM prompt_versions WHERE prompt_id = $1::uuid), 0) "
      "+ 1 FROM prompts WHERE prompt_id = $1::uuid AND workspace_id = $2",
      prompt.to_string(), workspace);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<int>();
}

bool set_prompt_version_state(pqxx::transaction_base& tx, const Uuid& prompt,
                              const std::string& workspace, int version, const std::string& state) {
  const auto r = tx.exec_params(
      "UPDATE prompt_versions v SET state = $4, updated_at = now() FROM prompts p "
      "WHERE v.prompt_id = p.prompt_id AND p.prompt_id = $1::uuid AND p.workspace_id = $2 "
      "AND v.version = $3",
      prompt.to_string(), workspace, version, state);
  return r.affected_rows() > 0;
}

}  // namespace bl
