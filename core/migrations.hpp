#pragma once
// Schema migrations: numbered SQL files in schema/, compiled into the binary. Every role
// applies them on start; a session advisory lock makes concurrent starts apply each once.

#include <string>
#include <vector>

#include "core/result.hpp"

namespace bl {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Generated from schema/*.sql at build time, sorted by version.
const std::vector<Migration>& embedded_migrations();

// Applies every migration newer than the database's; returns how many were applied.
Result<int> migrate(const std::string& database_url);

}  // namespace bl
