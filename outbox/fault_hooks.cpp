#include "outbox/fault_hooks.hpp"

#include <csignal>
#include <cstdlib>

#include "core/log.hpp"

namespace bl {

RelayFaultHook::RelayFaultHook() {
  if (const char* v = std::getenv("BL_TEST_RELAY_KILL_AFTER_PUSH")) kill_after_ = std::atoi(v);
}

void RelayFaultHook::after_push() {
  if (kill_after_ <= 0 || ++pushes_ < kill_after_) return;
  log::warn("relay.test_fault_kill", {{"pushes", pushes_}});
  log::flush();
  std::raise(SIGKILL);
}

}  // namespace bl
