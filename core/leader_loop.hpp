#pragma once
// The loop of a duty that one process of the fleet does at a time (a process manager): keep a
// PostgreSQL session, try every second to take the duty's session advisory lock, and while
// holding it run `pass` on each NOTIFY bl_events and at least every poll_ms. A lost session
// drops the lock with it, so another process takes over; a reconnecting process tries again.

#include <functional>
#include <string>
#include <string_view>

#include "core/pg.hpp"
#include "core/stop_signal.hpp"

namespace bl {

// `pass` returns false when the connection broke (the loop reconnects). Returns when stop is
// requested.
void run_leader_loop(const std::string& database_url, std::string_view duty, int poll_ms,
                     StopSignal& stop, const std::function<bool(pqxx::connection&)>& pass);

}  // namespace bl
