#pragma once
// One thread running an event loop with one asynchronous Redis connection, for code that has
// no loop of its own in Redis's reach (HTTP request loops, database pool threads). Commands
// from any thread are pipelined on the connection in submission order. Every command has a
// deadline: hiredis 0.14 has no timeouts, so a Redis that stops answering fails the pending
// commands with kTimeout instead of holding their callers.

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/event_loop.hpp"
#include "core/redis.hpp"

namespace bl {

class RedisThread {
 public:
  // Runs on the Redis thread: must be quick and must not block.
  using Callback = std::function<void(Result<RedisReply>)>;

  RedisThread(std::string host, int port, int timeout_ms);
  ~RedisThread();
  RedisThread(const RedisThread&) = delete;
  RedisThread& operator=(const RedisThread&) = delete;

  // Thread-safe. cb is called exactly once (a reply, kUnavailable, or kTimeout).
  void command(RedisArgs args, Callback cb);
  // EVALSHA of the script, falling back to EVAL when Redis does not know it yet.
  void eval(const RedisScript& script, RedisArgs keys, RedisArgs args, Callback cb);

 private:
  struct Pending;
  void send_on_loop(RedisArgs args, Callback cb);
  void expire_overdue();

  const int timeout_ms_;
  EventLoop loop_;
  std::unique_ptr<RedisAsync> redis_;           // loop thread only
  std::unique_ptr<Timer> sweep_;                // loop thread only
  std::deque<std::shared_ptr<Pending>> queue_;  // loop thread only, in submission order
  std::thread thread_;
};

}  // namespace bl
