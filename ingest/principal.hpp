#pragma once
// The authenticated caller of a request.

#include <optional>
#include <string>
#include <string_view>

namespace bl {

// client: submit and read in its workspace. admin: its organization (keys, workspaces, usage,
// audit). operator: the installation (organizations).
enum class Scope { kClient, kAdmin, kOperator };

inline std::string_view scope_name(Scope s) {
  switch (s) {
    case Scope::kClient:
      return "client";
    case Scope::kAdmin:
      return "admin";
    case Scope::kOperator:
      return "operator";
  }
  return "client";
}

inline std::optional<Scope> parse_scope(std::string_view name) {
  if (name == "client") return Scope::kClient;
  if (name == "admin") return Scope::kAdmin;
  if (name == "operator") return Scope::kOperator;
  return std::nullopt;
}

struct Principal {
  std::string org_id;
  std::string workspace_id;
  std::string key_id;
  Scope scope = Scope::kClient;
};

}  // namespace bl
