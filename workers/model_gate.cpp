#include "workers/model_gate.hpp"

#include <algorithm>

namespace bl {
namespace {

constexpr std::int64_t kRedisRetryMs = 250;

TokenBucketSpec per_minute(int limit, int burst_seconds) {
  const double per_sec = limit / 60.0;
  return TokenBucketSpec{std::max(1.0, per_sec * burst_seconds), per_sec};
}

}  // namespace

ModelGate::ModelGate(const ModelConfig& model, const QueueKeys& keys, int burst_seconds,
                     EventLoop& loop, RedisAsync& redis, Start start)
    : model_(model),
      redis_(redis),
      start_(std::move(start)),
      requests_key_(keys.rate_bucket(model.id, "requests")),
      tokens_key_(keys.rate_bucket(model.id, "tokens")),
      requests_spec_(per_minute(model.requests_per_minute, burst_seconds)),
      tokens_spec_(per_minute(model.tokens_per_minute, burst_seconds)),
      wait_timer_(loop, [this] { pump(); }) {}

void ModelGate::admit(LoadedJob job, double tokens) {
  waiting_.push_back(Waiting{std::move(job), tokens, false});
  pump();
}

void ModelGate::finished() {
  --in_flight_;
  pump();
}

std::vector<LoadedJob> ModelGate::take_waiting() {
  std::vector<LoadedJob> out;
  for (auto& w : waiting_)
    out.push_back(std::move(w.job));
  waiting_.clear();
  wait_timer_.cancel();
  return out;
}

void ModelGate::pump() {
  while (!waiting_.empty() && !asking_ && !wait_timer_.armed() &&
         in_flight_ < model_.max_concurrency) {
    Waiting& head = waiting_.front();
    const bool need_requests = model_.requests_per_minute > 0 && !head.requests_taken;
    if (need_requests || model_.tokens_per_minute > 0) {
      ask_bucket();
      return;
    }
    LoadedJob job = std::move(head.job);
    waiting_.pop_front();
    ++in_flight_;
    start_(std::move(job));
  }
}

void ModelGate::ask_bucket() {
  Waiting& head = waiting_.front();
  const bool requests = model_.requests_per_minute > 0 && !head.requests_taken;
  const TokenBucketSpec& spec = requests ? requests_spec_ : tokens_spec_;
  // A call larger than the whole bucket would wait forever: it takes the whole bucket instead.
  const double cost = requests ? 1.0 : std::min(std::max(head.tokens, 1.0), spec.capacity);
  const std::string& key = requests ? requests_key_ : tokens_key_;
  asking_ = true;
  redis_.command(token_bucket_take(key, spec, cost),
                 [this, alive = alive_, requests](Result<RedisReply> r) {
                   if (*alive) on_bucket(std::move(r), requests, false);
                 });
}

void ModelGate::on_bucket(Result<RedisReply> reply, bool requests, bool retried_with_eval) {
  if (waiting_.empty()) {  // handed back meanwhile (shutdown)
    asking_ = false;
    return;
  }
  if (reply.ok() && is_noscript(*reply) && !retried_with_eval) {
    Waiting& head = waiting_.front();
    const TokenBucketSpec& spec = requests ? requests_spec_ : tokens_spec_;
    const double cost = requests ? 1.0 : std::min(std::max(head.tokens, 1.0), spec.capacity);
    RedisArgs args = token_bucket_script().eval({requests ? requests_key_ : tokens_key_},
                                                token_bucket_argv(spec, cost));
    redis_.command(args, [this, alive = alive_, requests](Result<RedisReply> r) {
      if (*alive) on_bucket(std::move(r), requests, true);
    });
    return;
  }
  asking_ = false;
  auto taken =
      reply.ok() ? parse_token_bucket_reply(*reply) : Result<TokenBucketResult>(reply.error());
  if (!taken.ok()) {
    // Without Redis no limit can be checked: wait rather than exceed it.
    wait_timer_.arm(kRedisRetryMs);
    return;
  }
  if (!taken->allowed) {
    wait_timer_.arm(std::max<std::int64_t>(taken->wait_ms, 1));
    return;
  }
  Waiting& head = waiting_.front();
  if (requests) {
    head.requests_taken = true;
    if (model_.tokens_per_minute > 0) {
      pump();
      return;
    }
  }
  LoadedJob job = std::move(head.job);
  waiting_.pop_front();
  ++in_flight_;
  start_(std::move(job));
  pump();
}

}  // namespace bl
