#pragma once
// A process-wide "please stop" shared by the roles of one process. SIGTERM/SIGINT trigger it;
// roles wait on it or register a callback (which must be quick and thread-safe, e.g. post a
// shutdown to a loop).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

namespace bl {

class StopSignal {
 public:
  void request_stop();
  bool stop_requested() const { return stopped_.load(); }
  // Waits up to `timeout`; true when stop was requested.
  bool wait_for(std::chrono::milliseconds timeout);
  void on_stop(std::function<void()> fn);

  // Routes SIGTERM and SIGINT of this process to `signal` (a thread waits with sigwait).
  static void install_handlers(StopSignal& signal);

 private:
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> callbacks_;  // GUARDED_BY(mutex_)
};

}  // namespace bl
