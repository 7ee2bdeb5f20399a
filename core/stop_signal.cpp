#include "core/stop_signal.hpp"

#include <pthread.h>

#include <csignal>
#include <thread>

namespace bl {

void StopSignal::request_stop() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mutex_);
    if (stopped_.exchange(true)) return;
    callbacks.swap(callbacks_);
  }
  cv_.notify_all();
  for (auto& fn : callbacks)
    fn();
}

bool StopSignal::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return stopped_.load(); });
}

void StopSignal::on_stop(std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      callbacks_.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

void StopSignal::install_handlers(StopSignal& signal) {
  // Block the signals in every thread (threads inherit the mask) and take them on one thread.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  std::thread([set, &signal] {
    int sig = 0;
    sigwait(&set, &sig);
    signal.request_stop();
  }).detach();
}

}  // namespace bl
