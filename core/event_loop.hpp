#pragma once
// One libevent event_base driven by one thread (the "loop thread"). Other threads hand work
// to it with post(); everything that touches the base's events, evhttp requests, hiredis
// async contexts or curl multi handles runs on the loop thread only.

#include <event2/event.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace bl {

struct EventBaseFree {
  void operator()(event_base* b) const { event_base_free(b); }
};
struct EventFree {
  void operator()(event* e) const { event_free(e); }
};
using EventBasePtr = std::unique_ptr<event_base, EventBaseFree>;
using EventPtr = std::unique_ptr<event, EventFree>;

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  event_base* base() { return base_.get(); }

  // Runs callbacks until stop(). Records the calling thread as the loop thread.
  void run();
  // Thread-safe. run() returns after the callbacks already posted have run.
  void stop();
  // Thread-safe. fn runs on the loop thread, in posting order.
  void post(std::function<void()> fn);
  bool in_loop_thread() const { return std::this_thread::get_id() == loop_thread_.load(); }

 private:
  static void on_wake(evutil_socket_t, short, void* arg);
  void drain();

  EventBasePtr base_;
  EventPtr wake_;
  std::mutex mutex_;
  std::vector<std::function<void()>> pending_;  // GUARDED_BY(mutex_)
  bool wake_pending_ = false;                   // GUARDED_BY(mutex_)
  std::atomic<std::thread::id> loop_thread_{};
  std::atomic<bool> stopping_{false};
};

// A one-shot or repeating timer on a loop. Owned by the loop thread.
class Timer {
 public:
  Timer(EventLoop& loop, std::function<void()> fn);
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void arm(std::int64_t delay_ms);
  void cancel();
  bool armed() const;

 private:
  static void on_fire(evutil_socket_t, short, void* arg);

  std::function<void()> fn_;
  EventPtr event_;
};

}  // namespace bl
