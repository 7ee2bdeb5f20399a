#pragma once
// Sleeping on a LISTENing connection: for loops that wake when a row falls due, a NOTIFY
// arrives or the poll interval ends, and that must still stop promptly.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/pg.hpp"
#include "core/stop_signal.hpp"

namespace bl {

// Waits up to wait_ms for a notification on conn (its receivers must exist), looking at stop
// at least every 250 ms, so that a long sleep never holds a shutdown back. True when a
// notification arrived. Throws libpqxx exceptions (a lost connection); call it in pg_call or
// a try block.
bool await_notification_or_stop(pqxx::connection& conn, std::int64_t wait_ms,
                                const StopSignal& stop);

// A connection that LISTENs on one channel, opened again after it broke. Owned by one thread.
class ListeningConnection {
 public:
  ListeningConnection(std::string url, const char* channel);
  ~ListeningConnection();

  // Opens the connection when it is not open. False, after a pause of half a second (or until
  // stop), when the database cannot be reached; logs `event` then.
  bool open(StopSignal& stop, std::string_view event);
  pqxx::connection& get() { return *conn_; }
  // Closes the connection when `e` may mean it broke; the next open() starts a new one.
  void close_if_broken(const Error& e);
  // Sleeps as await_notification_or_stop does; a failed wait closes the connection (logged as
  // `event`).
  void wait(std::int64_t wait_ms, const StopSignal& stop, std::string_view event);

 private:
  class Receiver;
  void close();

  std::string url_;
  const char* channel_;
  PgConnectionPtr conn_;
  std::unique_ptr<Receiver> receiver_;  // destroyed before conn_
};

}  // namespace bl
