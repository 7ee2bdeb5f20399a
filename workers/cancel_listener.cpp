#include "workers/cancel_listener.hpp"

#include <chrono>

#include "core/redis.hpp"

namespace bl {
namespace {

// A read waits at most this long, so that the thread notices stop() within it. A timed-out
// blocking hiredis context is unusable, so each quiet period costs a reconnect.
constexpr int kReadTimeoutMs = 1000;

}  // namespace

CancelListener::CancelListener(std::string host, int port, std::string channel,
                               std::function<void(const Uuid&)> on_cancel)
    : host_(std::move(host)),
      port_(port),
      channel_(std::move(channel)),
      on_cancel_(std::move(on_cancel)),
      thread_([this] { run(); }) {}

CancelListener::~CancelListener() {
  stop_ = true;
  thread_.join();
}

void CancelListener::run() {
  std::unique_ptr<RedisClient> redis;
  while (!stop_) {
    if (!redis) {
      auto c = RedisClient::connect(host_, port_, kReadTimeoutMs);
      if (!c.ok() || !(*c)->command({"SUBSCRIBE", channel_}).ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(kReadTimeoutMs));
        continue;
      }
      redis = std::move(*c);
    }
    auto message = redis->next_reply();
    if (!message.ok()) {
      redis.reset();  // a timeout leaves a blocking hiredis context unusable: reconnect
      continue;
    }
    // ["message", channel, payload]
    if (message->type == RedisReply::Type::kArray && message->elements.size() == 3 &&
        message->elements[0].str == "message") {
      if (auto id = Uuid::parse(message->elements[2].str)) on_cancel_(*id);
    }
  }
}

}  // namespace bl
