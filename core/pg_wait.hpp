#pragma once
// Sleeping on a LISTENing connection without delaying shutdown.

#include <cstdint>

#include "core/pg.hpp"
#include "core/stop_signal.hpp"

namespace bl {

// LISTENs on a channel for as long as it lives; a notification ends the wait of
// await_notification_or_stop() and needs no other handling.
class WakeOnNotify final : public pqxx::notification_receiver {
 public:
  WakeOnNotify(pqxx::connection& conn, const char* channel)
      : pqxx::notification_receiver(conn, channel) {}
  void operator()(const std::string&, int) override {}
};

// Waits up to wait_ms for a notification on conn (its receivers must exist), looking at stop
// at least every 250 ms, so that a long sleep never holds a shutdown back. True when a
// notification arrived. Throws libpqxx exceptions (a lost connection); call it in pg_call or
// a try block.
bool await_notification_or_stop(pqxx::connection& conn, std::int64_t wait_ms,
                                const StopSignal& stop);

}  // namespace bl
