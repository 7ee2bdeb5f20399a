#pragma once
// Redis on hiredis 0.14: a blocking client (relay, sweeper, tools, tests) and an asynchronous
// client driven by an EventLoop (workers). Replies are copied into an owned RedisReply tree so
// that no hiredis memory outlives its callback.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.hpp"
#include "core/result.hpp"

struct redisContext;
struct redisAsyncContext;

namespace bl {

struct RedisReply {
  enum class Type { kString, kArray, kInteger, kNil, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // string, status or error text
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
};

using RedisArgs = std::vector<std::string>;

class RedisClient {
 public:
  static Result<std::unique_ptr<RedisClient>> connect(const std::string& host, int port,
                                                      int timeout_ms = 2000);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // A reply of type kError is a value, not an Error; transport failures are Errors.
  Result<RedisReply> command(const RedisArgs& args);
  // Sends all commands, then reads all replies (one round trip).
  Result<std::vector<RedisReply>> pipeline(const std::vector<RedisArgs>& commands);
  // Waits for the next reply without sending anything: a message after SUBSCRIBE.
  Result<RedisReply> next_reply();

 private:
  explicit RedisClient(redisContext* c) : ctx_(c) {}
  redisContext* ctx_;
};

// Asynchronous client on an EventLoop. Commands are queued in order; on disconnect pending
// callbacks get kUnavailable and the client reconnects by itself after a short delay.
class RedisAsync {
 public:
  using Callback = std::function<void(Result<RedisReply>)>;

  RedisAsync(EventLoop& loop, std::string host, int port);
  ~RedisAsync();
  RedisAsync(const RedisAsync&) = delete;
  RedisAsync& operator=(const RedisAsync&) = delete;

  void connect();
  bool connected() const { return connected_; }
  void command(const RedisArgs& args, Callback cb);

 private:
  static void on_connect(const redisAsyncContext* c, int status);
  static void on_disconnect(const redisAsyncContext* c, int status);
  static void on_reply(redisAsyncContext* c, void* reply, void* privdata);
  void schedule_reconnect();

  EventLoop& loop_;
  std::string host_;
  int port_;
  redisAsyncContext* ctx_ = nullptr;
  bool connected_ = false;
  bool closing_ = false;
  std::unique_ptr<Timer> reconnect_timer_;
};

// Lua scripts are sent with EVALSHA, falling back to EVAL when the server forgot them.
class RedisScript {
 public:
  explicit RedisScript(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }
  // Arguments for EVALSHA / EVAL: keys then args.
  RedisArgs evalsha(const RedisArgs& keys, const RedisArgs& args) const;
  RedisArgs eval(const RedisArgs& keys, const RedisArgs& args) const;

 private:
  std::string source_;
  std::string sha1_;
};

bool is_noscript(const RedisReply& r);

}  // namespace bl
