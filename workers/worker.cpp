#include "workers/worker.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/log.hpp"
#include "core/metrics.hpp"

namespace bl {
namespace {

constexpr int kReadBatch = 256;
constexpr int kBlockMs = 1000;
constexpr int kShutdownGraceMs = 15000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct WorkerMetrics {
  MetricsRegistry& r = MetricsRegistry::global();
  Gauge& in_flight = r.gauge("bl_worker_in_flight", "deliveries held by this worker");
  Counter& succeeded =
      r.counter("bl_worker_results_total", "results recorded by outcome", "outcome=\"succeeded\"");
  Counter& retried = r.counter("bl_worker_results_total", "results recorded by outcome",
                               "outcome=\"retry_scheduled\"");
  Counter& failed =
      r.counter("bl_worker_results_total", "results recorded by outcome", "outcome=\"failed\"");
  Counter& skipped = r.counter("bl_worker_deliveries_skipped_total",
                               "deliveries acknowledged without a call (duplicate or terminal)");
  Counter& stale =
      r.counter("bl_worker_results_dropped_total", "results dropped because the job had moved on");
  Counter& commits = r.counter("bl_worker_group_commits_total", "result transactions committed");
  Histogram& call_seconds = r.histogram("bl_provider_call_seconds", "provider call latency");
};

WorkerMetrics& metrics() {
  static WorkerMetrics m;
  return m;
}

}  // namespace

struct Worker::Call {
  LoadedJob job;
  const ModelConfig* model = nullptr;
  const Provider* provider = nullptr;
  std::int64_t started_ms = 0;
  std::chrono::steady_clock::time_point started;
  HttpClient::CallId call_id = 0;
};

Worker::Worker(const Config& config, StopSignal& stop)
    : config_(config), stop_(stop), keys_(config.redis_prefix) {
  for (int band = 0; band < kPriorityBands; ++band) {
    for (const auto& m : config_.models) {
      stream_keys_.push_back(keys_.stream(m.id, band));
      stream_models_.push_back(m.id);
    }
  }
}

Worker::~Worker() = default;

int Worker::run() {
  if (config_.models.empty()) {
    log::error("worker.no_models", {});
    return 2;
  }
  loader_ = std::make_unique<BatchingThread<Delivery>>(
      kReadBatch, [this](std::vector<Delivery>& b) { load_batch(b); });
  writer_ = std::make_unique<BatchingThread<ResultWrite>>(
      1000, [this](std::vector<ResultWrite>& b) { write_batch(b); });
  reader_ = std::make_unique<RedisAsync>(loop_, config_.redis_host, config_.redis_port);
  commands_ = std::make_unique<RedisAsync>(loop_, config_.redis_host, config_.redis_port);
  http_ = std::make_unique<HttpClient>(loop_);
  retry_read_timer_ = std::make_unique<Timer>(loop_, [this] { read_more(); });
  groups_retry_timer_ = std::make_unique<Timer>(loop_, [this] { ensure_groups(groups_then_); });
  shutdown_deadline_ = std::make_unique<Timer>(loop_, [this] {
    log::warn("worker.shutdown_deadline", {{"in_flight", in_flight_}});
    for (auto& [key, call] : calls_)
      http_->cancel(call->call_id);
    calls_.clear();
    loop_.stop();
  });
  reader_->connect();
  commands_->connect();
  stop_.on_stop([this] { loop_.post([this] { begin_shutdown(); }); });
  loop_.post([this] { ensure_groups([this] { read_more(); }); });
  log::info("worker.started", {{"worker", log::id(config_.worker_name)},
                               {"models", config_.models.size()},
                               {"max_in_flight", config_.worker_max_inflight}});
  loop_.run();
  // Results already handed to the writer are committed before we exit.
  writer_->stop();
  loader_->stop();
  http_.reset();
  log::info("worker.stopped", {{"worker", log::id(config_.worker_name)}});
  return 0;
}

void Worker::ensure_groups(std::function<void()> then) {
  auto remaining = std::make_shared<std::size_t>(stream_keys_.size());
  auto failed = std::make_shared<bool>(false);
  auto shared_then = std::make_shared<std::function<void()>>(std::move(then));
  for (const auto& key : stream_keys_) {
    commands_->command({"XGROUP", "CREATE", key, kConsumerGroup, "0", "MKSTREAM"},
                       [this, remaining, failed, shared_then](Result<RedisReply> r) {
                         if (!r.ok() || (r->is_error() && r->str.rfind("BUSYGROUP", 0) != 0))
                           *failed = true;
                         if (--*remaining != 0) return;
                         if (*failed) {
                           // Redis is unreachable: try again shortly.
                           groups_then_ = *shared_then;
                           groups_retry_timer_->arm(250);
                           return;
                         }
                         (*shared_then)();
                       });
  }
}

void Worker::read_more() {
  if (reading_ || stopping_) return;
  if (in_flight_ >= config_.worker_max_inflight) return;  // back-pressure: resume on ack
  reading_ = true;
  read_band(0);
}

void Worker::read_band(int band) {
  const int count = std::min(kReadBatch, config_.worker_max_inflight - in_flight_);
  RedisArgs args{"XREADGROUP",        "GROUP", kConsumerGroup,
                 config_.worker_name, "COUNT", std::to_string(count)};
  const std::size_t per_band = config_.models.size();
  std::size_t first = 0;
  std::size_t n = stream_keys_.size();
  if (band < kPriorityBands) {
    first = static_cast<std::size_t>(band) * per_band;
    n = per_band;
  } else {
    args.push_back("BLOCK");
    args.push_back(std::to_string(kBlockMs));
  }
  args.push_back("STREAMS");
  for (std::size_t i = 0; i < n; ++i)
    args.push_back(stream_keys_[first + i]);
  for (std::size_t i = 0; i < n; ++i)
    args.push_back(">");
  reader_->command(args, [this, band](Result<RedisReply> r) { on_read(std::move(r), band); });
}

void Worker::on_read(Result<RedisReply> reply, int band) {
  if (!reply.ok()) {
    reading_ = false;
    retry_read_timer_->arm(250);
    return;
  }
  if (reply->is_error()) {
    reading_ = false;
    if (reply->str.rfind("NOGROUP", 0) == 0) {
      // The streams vanished (Redis flushed or restarted): recreate the groups.
      ensure_groups([this] { read_more(); });
    } else {
      log::warn("worker.read_failed", {});
      retry_read_timer_->arm(250);
    }
    return;
  }
  std::vector<Delivery> deliveries;
  std::vector<Delivery> malformed;
  parse_read_reply(*reply, stream_keys_, stream_models_, &deliveries, &malformed);
  if (deliveries.empty() && malformed.empty()) {
    if (band < kPriorityBands) {
      read_band(band + 1);  // nothing in this band: try the next, then block on all
    } else {
      reading_ = false;
      read_more();
    }
    return;
  }
  in_flight_ += static_cast<int>(deliveries.size() + malformed.size());
  metrics().in_flight.set(in_flight_);
  if (!malformed.empty()) acknowledge(malformed);
  for (auto& d : deliveries)
    loader_->push(std::move(d));
  reading_ = false;
  read_more();
}

void Worker::load_batch(std::vector<Delivery>& batch) {
  for (int tries = 0;; ++tries) {
    if (!loader_conn_) {
      auto c = pg_connect(config_.database_url);
      if (c.ok()) loader_conn_ = std::move(*c);
    }
    if (loader_conn_) {
      try {
        auto jobs = load_jobs(*loader_conn_, config_.keyring, batch);
        loop_.post([this, jobs = std::move(jobs)]() mutable { on_loaded(std::move(jobs)); });
        return;
      } catch (const std::exception& e) {
        log::warn("worker.load_failed", {{"error", log::code(error_code_name(pg_error(e).code))}});
        loader_conn_.reset();
      }
    }
    if (stop_.stop_requested() && tries > 20) {
      // Give up: the deliveries stay pending in Redis and are reclaimed by another worker.
      const int n = static_cast<int>(batch.size());
      loop_.post([this, n] {
        in_flight_ -= n;
        maybe_finish_shutdown();
      });
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void Worker::on_loaded(std::vector<LoadedJob> jobs) {
  std::vector<Delivery> nothing_to_do;
  for (auto& job : jobs) {
    if (job.skip) {
      metrics().skipped.inc();
      nothing_to_do.push_back(std::move(job.delivery));
    } else if (job.unreadable) {
      ProviderOutcome o;
      o.kind = ProviderOutcome::Kind::kFinal;
      o.error_code = "content_unreadable";
      record(job, o, now_ms(), 0);
    } else if (stopping_) {
      // Hand it back: left pending in Redis, another worker reclaims it.
      --in_flight_;
    } else {
      start_call(std::move(job));
    }
  }
  if (!nothing_to_do.empty()) acknowledge(nothing_to_do);
  maybe_finish_shutdown();
}

void Worker::start_call(LoadedJob job) {
  auto fail = [&](const char* code) {
    ProviderOutcome o;
    o.kind = ProviderOutcome::Kind::kFinal;
    o.error_code = code;
    record(job, o, now_ms(), 0);
  };
  const ModelConfig* model = config_.find_model(job.submitted.model);
  if (model == nullptr) return fail("model_not_configured");
  const Provider* provider = find_provider(model->provider);
  if (provider == nullptr) return fail("provider_not_supported");
  auto request = parse_json(job.submitted.request_json);
  if (!request.ok()) return fail("invalid_request");
  auto call = provider->build_call(*model, *request);
  if (!call.ok()) return fail("invalid_request");
  call->connect_timeout_ms = config_.worker_connect_timeout_ms;
  call->timeout_ms = config_.worker_request_timeout_ms;

  auto c = std::make_unique<Call>();
  c->model = model;
  c->provider = provider;
  c->started_ms = now_ms();
  c->started = std::chrono::steady_clock::now();
  c->job = std::move(job);
  const std::uint64_t key = next_call_key_++;
  c->call_id = http_->start(std::move(*call),
                            [this, key](HttpCallResult r) { on_call_done(key, std::move(r)); });
  calls_.emplace(key, std::move(c));
}

void Worker::on_call_done(std::uint64_t key, HttpCallResult result) {
  auto it = calls_.find(key);
  if (it == calls_.end()) return;
  std::unique_ptr<Call> call = std::move(it->second);
  calls_.erase(it);
  const auto elapsed = std::chrono::steady_clock::now() - call->started;
  const std::int64_t latency_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  metrics().call_seconds.observe(std::chrono::duration<double>(elapsed).count());
  const ProviderOutcome outcome = call->provider->parse_result(*call->model, result);
  if (outcome.kind != ProviderOutcome::Kind::kSuccess) {
    log::info("worker.call_failed", {{"job_id", log::id(call->job.delivery.job_id.to_string())},
                                     {"attempt", call->job.delivery.attempt},
                                     {"http_status", outcome.http_status},
                                     {"error", log::code(outcome.error_code)},
                                     {"latency_ms", latency_ms}});
  }
  record(call->job, outcome, call->started_ms, latency_ms);
}

std::int64_t Worker::backoff_ms(int attempt, std::int64_t hint_ms) {
  if (hint_ms >= 0) {
    std::uniform_int_distribution<std::int64_t> jitter(0, hint_ms / 10 + 1);
    return hint_ms + jitter(rng_);
  }
  const int shift = std::min(attempt - 1, 20);
  const std::int64_t ceiling =
      std::min<std::int64_t>(static_cast<std::int64_t>(config_.worker_backoff_base_ms) << shift,
                             config_.worker_backoff_max_ms);
  std::uniform_int_distribution<std::int64_t> jittered(ceiling / 2, ceiling);
  return jittered(rng_);
}

void Worker::record(LoadedJob& job, const ProviderOutcome& outcome, std::int64_t started_ms,
                    std::int64_t latency_ms) {
  const Uuid& id = job.delivery.job_id;
  const int attempt = job.delivery.attempt;
  ResultWrite w;
  w.delivery = job.delivery;
  w.expected_version = job.version;
  EventMetadata meta = job.metadata;
  meta.request_id.clear();
  w.metadata = encode_metadata(meta);
  JobError error{outcome.error_code, outcome.http_status, outcome.error_detail};
  Result<std::string> data = std::string();
  if (outcome.kind == ProviderOutcome::Kind::kSuccess) {
    JobSucceeded e;
    e.attempt = attempt;
    e.worker = config_.worker_name;
    e.started_at_ms = started_ms;
    e.finished_at_ms = now_ms();
    e.latency_ms = latency_ms;
    e.ttft_ms = outcome.ttft_ms;
    e.mean_itl_ms = outcome.mean_itl_ms;
    e.usage = outcome.usage;
    e.finish_reason = outcome.finish_reason;
    e.http_status = outcome.http_status;
    e.output_json = outcome.output_json;
    w.event = JobEvent::kSucceeded;
    data = encode(e, config_.keyring, id);
    metrics().succeeded.inc();
  } else if (outcome.kind == ProviderOutcome::Kind::kRetryable &&
             attempt < config_.worker_max_attempts) {
    JobAttemptFailed e;
    e.attempt = attempt;
    e.error = error;
    e.retry_at_ms = now_ms() + backoff_ms(attempt, outcome.retry_after_ms);
    e.latency_ms = latency_ms;
    w.event = JobEvent::kAttemptFailed;
    w.retry = OutboxRow{id, job.delivery.model, attempt + 1, job.delivery.priority, e.retry_at_ms};
    data = encode(e, config_.keyring, id);
    metrics().retried.inc();
  } else {
    JobFailed e;
    e.attempt = attempt;
    e.error = error;
    w.event = JobEvent::kFailed;
    data = encode(e, config_.keyring, id);
    metrics().failed.inc();
  }
  if (!data.ok()) {
    // Sealing only fails without a data key, which start-up rules out.
    log::error("worker.encode_failed", {{"job_id", log::id(id.to_string())}});
    --in_flight_;
    return;
  }
  w.data = std::move(*data);
  writer_->push(std::move(w));
}

void Worker::write_batch(std::vector<ResultWrite>& batch) {
  for (int tries = 0;; ++tries) {
    if (!writer_conn_) {
      auto c = pg_connect(config_.database_url);
      if (c.ok()) writer_conn_ = std::move(*c);
    }
    if (writer_conn_) {
      try {
        const std::vector<bool> recorded = write_results(*writer_conn_, batch);
        metrics().commits.inc();
        std::vector<Delivery> done;
        done.reserve(batch.size());
        for (std::size_t i = 0; i < batch.size(); ++i) {
          if (!recorded[i]) metrics().stale.inc();
          done.push_back(batch[i].delivery);
        }
        loop_.post([this, done = std::move(done)] { on_written(done); });
        return;
      } catch (const std::exception& e) {
        log::warn("worker.write_failed", {{"error", log::code(error_code_name(pg_error(e).code))},
                                          {"results", batch.size()}});
        writer_conn_.reset();
      }
    }
    if (stop_.stop_requested() && tries > 50) {
      // Not acknowledged: the deliveries are redelivered and the calls made again.
      const int n = static_cast<int>(batch.size());
      loop_.post([this, n] {
        in_flight_ -= n;
        maybe_finish_shutdown();
      });
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void Worker::on_written(std::vector<Delivery> done) {
  acknowledge(done);
}

void Worker::acknowledge(const std::vector<Delivery>& deliveries) {
  for (const auto& d : deliveries) {
    auto ignore = [](Result<RedisReply>) {};
    commands_->command({"XACK", d.stream, kConsumerGroup, d.entry_id}, ignore);
    commands_->command({"XDEL", d.stream, d.entry_id}, ignore);
    commands_->command({"SET", keys_.delivery(d.model, d.job_id, d.attempt), kMarkerAcked, "PX",
                        std::to_string(kAckedMarkerTtlMs)},
                       ignore);
  }
  in_flight_ -= static_cast<int>(deliveries.size());
  metrics().in_flight.set(in_flight_);
  read_more();
  maybe_finish_shutdown();
}

void Worker::begin_shutdown() {
  if (stopping_) return;
  stopping_ = true;
  log::info("worker.stopping", {{"in_flight", in_flight_}});
  shutdown_deadline_->arm(kShutdownGraceMs);
  maybe_finish_shutdown();
}

void Worker::maybe_finish_shutdown() {
  if (stopping_ && in_flight_ <= 0) loop_.stop();
}

}  // namespace bl
