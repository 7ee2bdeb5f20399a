#pragma once
// The authenticated caller of a request.

#include <string>

namespace bl {

enum class Scope { kClient, kAdmin, kOperator };

struct Principal {
  std::string org_id;
  std::string workspace_id;
  std::string key_id;
  Scope scope = Scope::kClient;
};

}  // namespace bl
