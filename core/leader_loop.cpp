#include "core/leader_loop.hpp"

#include <chrono>
#include <memory>

#include "core/advisory_lock.hpp"
#include "core/event_log.hpp"
#include "core/log.hpp"

namespace bl {
namespace {

class WakeReceiver final : public pqxx::notification_receiver {
 public:
  explicit WakeReceiver(pqxx::connection& c) : pqxx::notification_receiver(c, kEventsChannel) {}
  void operator()(const std::string&, int) override {}
};

}  // namespace

void run_leader_loop(const std::string& database_url, std::string_view duty, int poll_ms,
                     StopSignal& stop, const std::function<bool(pqxx::connection&)>& pass) {
  PgConnectionPtr conn;
  std::unique_ptr<WakeReceiver> wake;
  bool leading = false;
  auto last_try = std::chrono::steady_clock::time_point{};
  while (!stop.stop_requested()) {
    if (!conn) {
      auto c = pg_connect(database_url);
      if (!c.ok()) {
        stop.wait_for(std::chrono::milliseconds(500));
        continue;
      }
      conn = std::move(*c);
      wake = std::make_unique<WakeReceiver>(*conn);
      leading = false;  // a session lock dies with its session
    }
    const auto now = std::chrono::steady_clock::now();
    if (!leading && now - last_try > std::chrono::seconds(1)) {
      last_try = now;
      auto got = try_lead(*conn, duty);
      leading = got.ok() && *got;
      if (leading) log::info("leader.elected", {{"duty", log::code(duty)}});
    }
    if (leading && !pass(*conn) && !conn->is_open()) {
      wake.reset();
      conn.reset();
      continue;
    }
    try {
      conn->await_notification(poll_ms / 1000, (poll_ms % 1000) * 1000);
    } catch (const std::exception&) {
      wake.reset();
      conn.reset();
    }
  }
}

}  // namespace bl
