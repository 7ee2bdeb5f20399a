#pragma once
// `batchline relay`: everything that moves outbox rows to where they go, each on its own
// thread of one process:
//   - the job relay (outbox/relay.hpp): job rows to Redis streams; every relay process works;
//   - the sweeper (outbox/sweeper.hpp): re-dispatches deliveries Redis lost; one active per
//     installation, the other relay processes stand by;
//   - the webhook sender (outbox/webhook_sender.hpp): webhook rows to HTTP endpoints; every
//     relay process works.
// Run more relay processes to share the work; any of them may die at any moment.

#include "config/config.hpp"
#include "core/stop_signal.hpp"

namespace bl {

// Runs until stop is requested; returns a process exit code.
int run_relay_role(const Config& config, StopSignal& stop);

}  // namespace bl
