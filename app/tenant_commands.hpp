#pragma once
// Operator commands for tenancy, run against the database directly:
//   batchline orgs create --name NAME | orgs list
//   batchline workspaces create --org ORG --name NAME | workspaces list --org ORG
//   batchline keys create --workspace WS | --org ORG --admin | --operator
//                         [--name N] [--expires-in 90d] [--rate-limit-rpm N]
//   batchline keys list [--org ORG] [--workspace WS] [--all]
//   batchline keys revoke KEY_ID
// --json prints the API's JSON objects. A new key is printed once and never again.
// Exit codes: 0 done, 1 refused or failed, 2 usage.

#include "config/config.hpp"

namespace bl {

int run_tenant_command(const std::string& command, const Config& config, int argc, char** argv);

}  // namespace bl
