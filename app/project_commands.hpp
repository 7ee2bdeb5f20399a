#pragma once
// `batchline project --rebuild NAME` and `batchline project --status [--json]`: operator tools
// of the projector (docs/operations.md, "Rebuilding a read model").

#include "config/config.hpp"

namespace bl {

// argv[1] is "project" and a flag follows; returns the exit code.
int run_project_command(const Config& config, int argc, char** argv);

}  // namespace bl
