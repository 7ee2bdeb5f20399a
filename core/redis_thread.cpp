#include "core/redis_thread.hpp"

namespace bl {
namespace {

constexpr int kSweepMs = 25;

}  // namespace

struct RedisThread::Pending {
  Callback cb;
  std::chrono::steady_clock::time_point deadline;
  bool done = false;

  void finish(Result<RedisReply> r) {
    if (done) return;
    done = true;
    auto fn = std::move(cb);
    fn(std::move(r));
  }
};

RedisThread::RedisThread(std::string host, int port, int timeout_ms) : timeout_ms_(timeout_ms) {
  redis_ = std::make_unique<RedisAsync>(loop_, std::move(host), port);
  sweep_ = std::make_unique<Timer>(loop_, [this] {
    expire_overdue();
    sweep_->arm(kSweepMs);
  });
  loop_.post([this] {
    redis_->connect();
    sweep_->arm(kSweepMs);
  });
  thread_ = std::thread([this] { loop_.run(); });
}

RedisThread::~RedisThread() {
  loop_.stop();
  if (thread_.joinable()) thread_.join();
  // The loop has stopped: this thread now owns everything the loop thread did.
  for (auto& p : queue_)
    p->finish(Error::unavailable("redis client stopped"));
  queue_.clear();
  sweep_.reset();
  redis_.reset();
}

void RedisThread::command(RedisArgs args, Callback cb) {
  loop_.post([this, args = std::move(args), cb = std::move(cb)]() mutable {
    send_on_loop(std::move(args), std::move(cb));
  });
}

void RedisThread::eval(const RedisScript& script, RedisArgs keys, RedisArgs args, Callback cb) {
  RedisArgs sha = script.evalsha(keys, args);
  RedisArgs full = script.eval(keys, args);
  command(std::move(sha),
          [this, full = std::move(full), cb = std::move(cb)](Result<RedisReply> r) mutable {
            if (r.ok() && is_noscript(*r)) {
              send_on_loop(std::move(full), std::move(cb));  // already on the loop thread
              return;
            }
            cb(std::move(r));
          });
}

void RedisThread::send_on_loop(RedisArgs args, Callback cb) {
  auto p = std::make_shared<Pending>();
  p->cb = std::move(cb);
  p->deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  queue_.push_back(p);
  redis_->command(args, [p](Result<RedisReply> r) { p->finish(std::move(r)); });
}

void RedisThread::expire_overdue() {
  const auto now = std::chrono::steady_clock::now();
  while (!queue_.empty() && (queue_.front()->done || queue_.front()->deadline <= now)) {
    queue_.front()->finish(Error{ErrorCode::kTimeout, "redis did not answer in time"});
    queue_.pop_front();
  }
}

}  // namespace bl
