#pragma once
// `batchline status [--json]`: queues and live workers of the installation (core/fleet_status).

#include "config/config.hpp"

namespace bl {

int run_status_command(const Config& config, int argc, char** argv);

}  // namespace bl
