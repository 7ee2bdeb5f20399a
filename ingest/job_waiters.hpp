#pragma once
// Long polls: GET /v1/jobs/{id}?wait=N holds its request until the job reaches a terminal
// state or N seconds pass, without holding a database connection meanwhile. One thread per
// ingest node LISTENs on bl_events (every append notifies it) and, when woken, reads the
// stream heads of every awaited job in one query; it also checks new waiters at once (their
// job may have finished between the handler's read and the registration) and everything
// once a second in case a notification was lost.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/ids.hpp"
#include "core/pg.hpp"

namespace bl {

class JobWaiters {
 public:
  // Runs on the waiter thread, once per wait(); must be quick (post the real work elsewhere).
  using Done = std::function<void(bool terminal)>;

  JobWaiters(std::string database_url, std::size_t max_waiters);
  ~JobWaiters();
  JobWaiters(const JobWaiters&) = delete;
  JobWaiters& operator=(const JobWaiters&) = delete;

  void start();
  // Answers every waiter with terminal = false, then joins.
  void stop();
  // False when max_waiters requests wait already: the caller answers at once instead.
  bool wait(const Uuid& job, std::chrono::milliseconds timeout, Done done);

 private:
  struct Waiter {
    Uuid job;
    std::chrono::steady_clock::time_point deadline;
    Done done;
  };
  void run();
  // Answers the waiters whose job is terminal; returns false when the database failed.
  bool check(pqxx::connection& conn);
  // Removes the waiters `which` selects and answers them (outside the lock).
  void answer_where(const std::function<bool(const Waiter&)>& which, bool terminal);

  const std::string url_;
  const std::size_t max_waiters_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Waiter> waiters_;  // GUARDED_BY(mutex_)
  bool added_ = false;           // GUARDED_BY(mutex_): waiters not checked yet
  bool stopping_ = false;        // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace bl
