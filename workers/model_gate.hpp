#pragma once
// Admission of provider calls for one model, on the worker's loop thread: at most
// max_concurrency calls of the model in flight in this process, and the model's fleet-wide
// requests/min and tokens/min limits, taken from token buckets in Redis that every worker
// process shares (core/token_bucket.hpp). Jobs wait here, in arrival order, until both allow;
// the worker stops reading a model's queue while the jobs it holds of that model reach the cap.

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/event_loop.hpp"
#include "core/queue_keys.hpp"
#include "core/redis.hpp"
#include "core/token_bucket.hpp"
#include "workers/job_loader.hpp"

namespace bl {

class ModelGate {
 public:
  using Start = std::function<void(LoadedJob)>;
  // burst_seconds: how many seconds of the sustained rate a bucket holds (at least one call).
  ModelGate(const ModelConfig& model, const QueueKeys& keys, int burst_seconds, EventLoop& loop,
            RedisAsync& redis, Start start);
  ModelGate(const ModelGate&) = delete;
  ModelGate& operator=(const ModelGate&) = delete;

  // Queues a loaded job; `start` runs when a call slot and the rate limits allow. tokens: the
  // estimated tokens of the call, taken from the tokens/min bucket.
  void admit(LoadedJob job, double tokens);
  // A call of this model ended.
  void finished();
  // Shutdown: the jobs still waiting, handed back.
  std::vector<LoadedJob> take_waiting();
  int in_flight() const { return in_flight_; }

 private:
  struct Waiting {
    LoadedJob job;
    double tokens = 0;
    bool requests_taken = false;  // the requests/min token is ours already
  };
  void pump();
  void ask_bucket();
  void on_bucket(Result<RedisReply> reply, bool requests_bucket, bool retried_with_eval);

  const ModelConfig& model_;
  RedisAsync& redis_;
  Start start_;
  std::string requests_key_;
  std::string tokens_key_;
  TokenBucketSpec requests_spec_;
  TokenBucketSpec tokens_spec_;
  std::deque<Waiting> waiting_;
  int in_flight_ = 0;
  bool asking_ = false;  // one bucket request at a time keeps arrival order
  Timer wait_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace bl
