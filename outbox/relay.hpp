#pragma once
// The outbox relay: claims due outbox rows (FOR UPDATE SKIP LOCKED, so several relays share
// the work), pushes them to their Redis streams in one pipeline, deletes them and commits.
// It wakes on NOTIFY bl_outbox and also polls, so a lost wake-up costs latency only.

#include <cstdint>
#include <memory>

#include "config/config.hpp"
#include "core/pg.hpp"
#include "core/queue_keys.hpp"
#include "core/redis.hpp"
#include "core/stop_signal.hpp"
#include "outbox/fault_hooks.hpp"

namespace bl {

class Relay {
 public:
  Relay(const Config& config, StopSignal& stop);

  // Runs until stop is requested. Returns a process exit code.
  int run();

  // One claim-push-delete cycle over due job rows; returns rows delivered (tests call it
  // directly).
  Result<int> relay_once(pqxx::connection& conn);

  // How long the relay may sleep: milliseconds until the earliest job row is due, capped by
  // the poll interval (0 when one is due now). A wake-up cuts the sleep short.
  std::int64_t next_due_in_ms(pqxx::connection& conn);

 private:
  Status push(const std::vector<std::vector<std::string>>& rows);

  const Config& config_;
  StopSignal& stop_;
  QueueKeys keys_;
  std::unique_ptr<RedisClient> redis_;
  RelayFaultHook fault_hook_;
};

}  // namespace bl
