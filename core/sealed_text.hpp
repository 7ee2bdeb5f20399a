#pragma once
// Short user-supplied text kept in a table (names of organizations, workspaces and keys) is
// sealed like event content: a {"k", "n", "c"} box bound to the row's id.

#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace bl {

// The box as JSON text, for a jsonb column.
Result<std::string> seal_text(const DataKeyring& ring, const Uuid& owner, std::string_view text);
// Opens a box read from a jsonb column; kInternal when it cannot be opened.
Result<std::string> open_text(const DataKeyring& ring, const Uuid& owner, std::string_view box);

// Names: 1..256 bytes of valid JSON-safe text (the parser already checked UTF-8).
inline constexpr std::size_t kMaxNameBytes = 256;
Status check_name(std::string_view name, std::string_view field);

}  // namespace bl
