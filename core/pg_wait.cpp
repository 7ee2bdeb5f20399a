#include "core/pg_wait.hpp"

#include <algorithm>
#include <chrono>

#include "core/log.hpp"

namespace bl {

// A notification ends await_notification_or_stop's wait and needs no other handling.
class ListeningConnection::Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection& conn, const char* channel)
      : pqxx::notification_receiver(conn, channel) {}
  void operator()(const std::string&, int) override {}
};

bool await_notification_or_stop(pqxx::connection& conn, std::int64_t wait_ms,
                                const StopSignal& stop) {
  constexpr std::int64_t kSliceMs = 250;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (!stop.stop_requested()) {
    const std::int64_t left = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  until - std::chrono::steady_clock::now())
                                  .count();
    if (left <= 0) return false;
    const std::int64_t slice = std::min(left, kSliceMs);
    if (conn.await_notification(slice / 1000, (slice % 1000) * 1000) > 0) return true;
  }
  return false;
}

ListeningConnection::ListeningConnection(std::string url, const char* channel)
    : url_(std::move(url)), channel_(channel) {}

ListeningConnection::~ListeningConnection() {
  close();
}

bool ListeningConnection::open(StopSignal& stop, std::string_view event) {
  if (conn_) return true;
  auto c = pg_connect(url_);
  if (!c.ok()) {
    log::warn(event, {{"error", log::code(error_code_name(c.error().code))}});
    stop.wait_for(std::chrono::milliseconds(500));
    return false;
  }
  conn_ = std::move(*c);
  receiver_ = std::make_unique<Receiver>(*conn_, channel_);
  return true;
}

void ListeningConnection::close_if_broken(const Error& e) {
  if (conn_ && (!conn_->is_open() || e.code == ErrorCode::kUnavailable)) close();
}

void ListeningConnection::wait(std::int64_t wait_ms, const StopSignal& stop,
                               std::string_view event) {
  try {
    await_notification_or_stop(*conn_, wait_ms, stop);
  } catch (const std::exception& e) {
    log::warn(event, {{"error", log::code(error_code_name(pg_error(e).code))}});
    close();
  }
}

void ListeningConnection::close() {
  receiver_.reset();
  conn_.reset();
}

}  // namespace bl
