#pragma once
// The prompt library's tables (schema/0600): prompts of a workspace and their numbered
// versions, each draft, published or archived. Names and content are sealed, bound to the
// prompt id. Every function runs inside the caller's transaction; a prompt of another
// workspace is treated exactly as a missing one.

#include <optional>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/pg.hpp"

namespace bl {

struct PromptVersion {
  int version = 0;
  std::string state;  // draft | published | archived
  std::string content;
  std::string source_type;  // optimization | job | empty
  std::string source_id;
  std::int64_t created_ms = 0;
};

struct PromptRecord {
  Uuid id;
  std::string name;
  std::int64_t created_ms = 0;
  std::vector<PromptVersion> versions;  // ascending; only the latest when listing
};

inline constexpr std::size_t kMaxPromptVersions = 1000;

bool is_prompt_state(std::string_view state);

// Creates prompt `id` with version 1.
Result<PromptRecord> create_prompt(pqxx::transaction_base& tx, const DataKeyring& ring,
                                   const Uuid& id, const std::string& org,
                                   const std::string& workspace, const std::string& name,
                                   const PromptVersion& first);

// The number the next version of the workspace's prompt would get (no lock taken: an insert
// racing another fails on the primary key), or nullopt when the prompt is not the workspace's.
std::optional<int> next_prompt_version(pqxx::transaction_base& tx, const Uuid& prompt,
                                       const std::string& workspace);

// Inserts `version` (its number already chosen) of an existing prompt.
Status insert_prompt_version(pqxx::transaction_base& tx, const DataKeyring& ring,
                             const Uuid& prompt, const PromptVersion& version);

// Adds the next version; nullopt when the prompt is not the workspace's. Locks the prompt row.
Result<std::optional<PromptVersion>> add_prompt_version(pqxx::transaction_base& tx,
                                                        const DataKeyring& ring, const Uuid& prompt,
                                                        const std::string& workspace,
                                                        PromptVersion version);

Result<std::optional<PromptRecord>> find_prompt(pqxx::transaction_base& tx, const DataKeyring& ring,
                                                const Uuid& prompt, const std::string& workspace);

// Newest first, ids below `before` when given; each with its latest version.
Result<std::vector<PromptRecord>> list_prompts(pqxx::transaction_base& tx, const DataKeyring& ring,
                                               const std::string& workspace,
                                               const std::optional<Uuid>& before, int limit);

// Sets a version's state; false when there is no such version in the workspace.
bool set_prompt_version_state(pqxx::transaction_base& tx, const Uuid& prompt,
                              const std::string& workspace, int version, const std::string& state);

}  // namespace bl
