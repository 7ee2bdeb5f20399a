#include "ingest/job_waiters.hpp"

#include "core/event_log.hpp"
#include "core/job_lifecycle.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace bl {
namespace {

constexpr auto kListenSlice = std::chrono::milliseconds(100);
constexpr auto kMinCheckGap = std::chrono::milliseconds(20);
constexpr auto kFullCheckEvery = std::chrono::seconds(1);

class EventsReceiver final : public pqxx::notification_receiver {
 public:
  explicit EventsReceiver(pqxx::connection& c) : pqxx::notification_receiver(c, kEventsChannel) {}
  void operator()(const std::string&, int) override {}
};

Gauge& waiting_gauge() {
  static Gauge& g =
      MetricsRegistry::global().gauge("bl_ingest_long_poll_waiters", "GET ?wait= requests held");
  return g;
}

}  // namespace

JobWaiters::JobWaiters(std::string database_url, std::size_t max_waiters)
    : url_(std::move(database_url)), max_waiters_(max_waiters) {}

JobWaiters::~JobWaiters() {
  stop();
}

void JobWaiters::start() {
  thread_ = std::thread([this] { run(); });
}

void JobWaiters::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<Waiter> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(waiters_);
  }
  waiting_gauge().add(-static_cast<double>(left.size()));
  for (auto& w : left)
    w.done(false);
}

bool JobWaiters::wait(const Uuid& job, std::chrono::milliseconds timeout, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || waiters_.size() >= max_waiters_) return false;
    waiters_.push_back(Waiter{job, std::chrono::steady_clock::now() + timeout, std::move(done)});
    added_ = true;
  }
  waiting_gauge().add(1);
  cv_.notify_all();
  return true;
}

bool JobWaiters::check(pqxx::connection& conn) {
  std::vector<Uuid> jobs;
  {
    std::lock_guard lock(mutex_);
    added_ = false;
    for (const auto& w : waiters_)
      jobs.push_back(w.job);
  }
  if (jobs.empty()) return true;
  auto heads = pg_call([&]() -> Result<StreamHeads> {
    pqxx::read_transaction tx(conn);
    return read_stream_heads(tx, jobs);
  });
  if (!heads.ok()) return false;
  answer_where(
      [&](const Waiter& w) {
        auto head = heads->find(w.job);
        return head != heads->end() && is_terminal(state_of_last_event(head->second.last_type));
      },
      true);
  return true;
}

void JobWaiters::answer_where(const std::function<bool(const Waiter&)>& which, bool terminal) {
  std::vector<Waiter> done;
  {
    std::lock_guard lock(mutex_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (which(*it)) {
        done.push_back(std::move(*it));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  waiting_gauge().add(-static_cast<double>(done.size()));
  for (auto& w : done)
    w.done(terminal);
}

void JobWaiters::run() {
  PgConnectionPtr conn;
  std::unique_ptr<EventsReceiver> receiver;
  auto last_check = std::chrono::steady_clock::time_point{};
  for (;;) {
    bool pending = false;
    {
      std::unique_lock lock(mutex_);
      // Idle: sleep until a waiter arrives.
      cv_.wait(lock, [this] { return stopping_ || !waiters_.empty(); });
      if (stopping_) break;
      pending = added_;
    }
    if (!conn) {
      auto c = pg_connect(url_);
      if (c.ok()) {
        conn = std::move(*c);
        receiver = std::make_unique<EventsReceiver>(*conn);
        pending = true;  // notifications may have been missed while disconnected
      }
    }
    bool notified = false;
    if (conn && !pending) {
      try {
        notified = conn->await_notification(0, kListenSlice.count() * 1000) > 0;
      } catch (const std::exception&) {
        receiver.reset();
        conn.reset();
      }
    }
    auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mutex_);
      pending = pending || added_;
    }
    if (conn && (notified || pending || now - last_check >= kFullCheckEvery)) {
      if (now - last_check < kMinCheckGap) {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, kMinCheckGap - (now - last_check), [this] { return stopping_; });
      }
      last_check = std::chrono::steady_clock::now();
      if (!check(*conn)) {
        log::warn("jobs.wait_check_failed", {});
        receiver.reset();
        conn.reset();
      }
    }
    if (!conn) {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, kListenSlice, [this] { return stopping_; });
    }
    const auto expired_by = std::chrono::steady_clock::now();
    answer_where([expired_by](const Waiter& w) { return w.deadline <= expired_by; }, false);
  }
}

}  // namespace bl
