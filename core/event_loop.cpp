#include "core/event_loop.hpp"

#include <event2/thread.h>

#include <cassert>
#include <cstdlib>

namespace bl {
namespace {

void enable_libevent_threads() {
  // Must run before the first event_base exists; post() relies on event_active from other
  // threads. Called for every loop, but evthread_use_pthreads is idempotent.
  static const int ok = evthread_use_pthreads();
  if (ok != 0) std::abort();
}

}  // namespace

EventLoop::EventLoop() {
  enable_libevent_threads();
  base_.reset(event_base_new());
  if (!base_) std::abort();
  wake_.reset(event_new(base_.get(), -1, 0, &EventLoop::on_wake, this));
}

EventLoop::~EventLoop() = default;

void EventLoop::run() {
  loop_thread_ = std::this_thread::get_id();
  while (!stopping_.load()) {
    event_base_loop(base_.get(), EVLOOP_NO_EXIT_ON_EMPTY);
  }
  drain();
  loop_thread_ = std::thread::id();
}

void EventLoop::stop() {
  stopping_ = true;
  event_base_loopbreak(base_.get());
}

void EventLoop::post(std::function<void()> fn) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(fn));
    if (!wake_pending_) {
      wake_pending_ = true;
      wake = true;
    }
  }
  if (wake) event_active(wake_.get(), EV_READ, 0);
}

void EventLoop::on_wake(evutil_socket_t, short, void* arg) {
  static_cast<EventLoop*>(arg)->drain();
}

void EventLoop::drain() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
    wake_pending_ = false;
  }
  for (auto& fn : batch)
    fn();
}

Timer::Timer(EventLoop& loop, std::function<void()> fn)
    : fn_(std::move(fn)), event_(evtimer_new(loop.base(), &Timer::on_fire, this)) {}

void Timer::arm(std::int64_t delay_ms) {
  if (delay_ms < 0) delay_ms = 0;
  timeval tv{static_cast<time_t>(delay_ms / 1000),
             static_cast<suseconds_t>((delay_ms % 1000) * 1000)};
  evtimer_add(event_.get(), &tv);
}

void Timer::cancel() {
  evtimer_del(event_.get());
}

bool Timer::armed() const {
  return evtimer_pending(event_.get(), nullptr) != 0;
}

void Timer::on_fire(evutil_socket_t, short, void* arg) {
  static_cast<Timer*>(arg)->fn_();
}

}  // namespace bl
