#include "workers/worker.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/fleet_registry.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "workers/stream_reader.hpp"

namespace bl {
namespace {

constexpr int kReadBatch = 256;
constexpr int kBlockMs = 1000;
constexpr int kReclaimBatch = 100;
// Jobs loaded per query and results written per transaction: large batches keep the two
// database threads ahead of thousands of calls in flight.
constexpr std::size_t kLoadBatch = 2000;
constexpr std::size_t kWriteBatch = 4000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct WorkerMetrics {
  MetricsRegistry& r = MetricsRegistry::global();
  Gauge& in_flight = r.gauge("bl_worker_in_flight", "deliveries held by this worker");
  Gauge& calls = r.gauge("bl_worker_calls_in_flight", "provider calls in flight");
  Counter& succeeded =
      r.counter("bl_worker_results_total", "results recorded by outcome", "outcome=\"succeeded\"");
  Counter& retried = r.counter("bl_worker_results_total", "results recorded by outcome",
                               "outcome=\"retry_scheduled\"");
  Counter& failed =
      r.counter("bl_worker_results_total", "results recorded by outcome", "outcome=\"failed\"");
  Counter& skipped = r.counter("bl_worker_deliveries_skipped_total",
                               "deliveries acknowledged without a call (duplicate or terminal)");
  Counter& reclaimed =
      r.counter("bl_worker_deliveries_reclaimed_total", "deliveries claimed from idle consumers");
  Counter& poison =
      r.counter("bl_worker_deliveries_poison_total", "deliveries failed as delivered too often");
  Counter& cancelled =
      r.counter("bl_worker_calls_cancelled_total", "provider calls aborted by a cancellation");
  Counter& stale =
      r.counter("bl_worker_results_dropped_total", "results dropped because the job had moved on");
  Counter& commits = r.counter("bl_worker_group_commits_total", "result transactions committed");
  Histogram& call_seconds = r.histogram("bl_provider_call_seconds", "provider call latency");
};

WorkerMetrics& metrics() {
  static WorkerMetrics m;
  return m;
}

// Every held call keeps a socket open: let the process use all the descriptors it may.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

// Tokens a call will take from the model's tokens/min bucket: the prompt (about four bytes a
// token) and the output it asks for.
double estimated_tokens(const LoadedJob& job) {
  double tokens = static_cast<double>(job.submitted.request_json.size()) / 4.0;
  auto request = parse_json(job.submitted.request_json);
  if (request.ok()) {
    if (const JsonValue* p = json_member(*request, "parameters")) {
      tokens += static_cast<double>(
          json_int(*p, "max_tokens").value_or(json_int(*p, "max_completion_tokens").value_or(0)));
    }
  }
  return tokens;
}

}  // namespace

struct Worker::Call {
  LoadedJob job;
  const ModelConfig* model = nullptr;
  const Provider* provider = nullptr;
  std::unique_ptr<StreamReader> stream;  // streaming models only
  std::int64_t started_ms = 0;
  std::chrono::steady_clock::time_point started;
  HttpClient::CallId call_id = 0;
};

Worker::Worker(const Config& config, StopSignal& stop)
    : config_(config), stop_(stop), keys_(config.redis_prefix) {
  const std::vector<std::string> group = config_.worker_model_ids();
  for (const auto& m : config_.models) {
    if (group.empty() || std::find(group.begin(), group.end(), m.id) != group.end()) {
      models_.push_back(&m);
    }
  }
  for (int band = 0; band < kPriorityBands; ++band) {
    for (const ModelConfig* m : models_) {
      stream_keys_.push_back(keys_.stream(m->id, band));
      stream_models_.push_back(m->id);
    }
  }
}

Worker::~Worker() = default;

int Worker::run() {
  if (models_.empty()) {
    log::error("worker.no_models", {});
    return 2;
  }
  raise_fd_limit();
  started_ms_ = now_ms();
  loader_ = std::make_unique<BatchingThread<Delivery>>(
      kLoadBatch, [this](std::vector<Delivery>& b) { load_batch(b); });
  writer_ = std::make_unique<BatchingThread<ResultWrite>>(
      kWriteBatch, [this](std::vector<ResultWrite>& b) { write_batch(b); });
  reader_ = std::make_unique<RedisAsync>(loop_, config_.redis_host, config_.redis_port);
  commands_ = std::make_unique<RedisAsync>(loop_, config_.redis_host, config_.redis_port);
  http_ = std::make_unique<HttpClient>(loop_);
  leases_ = std::make_unique<DeliveryLeases>(*commands_, config_.worker_name);
  for (const ModelConfig* m : models_) {
    gates_.emplace(m->id, std::make_unique<ModelGate>(
                              *m, keys_, config_.worker_rate_burst_seconds, loop_, *commands_,
                              [this](LoadedJob job) { start_call(std::move(job)); }));
  }
  retry_read_timer_ = std::make_unique<Timer>(loop_, [this] { read_more(); });
  groups_retry_timer_ = std::make_unique<Timer>(loop_, [this] { ensure_groups(groups_then_); });
  lease_timer_ = std::make_unique<Timer>(loop_, [this] { renew_leases(); });
  reclaim_timer_ = std::make_unique<Timer>(loop_, [this] { reclaim_idle(); });
  registry_timer_ = std::make_unique<Timer>(loop_, [this] { refresh_registration(); });
  shutdown_deadline_ = std::make_unique<Timer>(loop_, [this] {
    // What is still in flight is handed back: its leases lapse and another worker reclaims it.
    log::warn("worker.shutdown_deadline", {{"in_flight", in_flight_}});
    for (auto& [key, call] : calls_)
      http_->cancel(call->call_id);
    calls_.clear();
    loop_.stop();
  });
  reader_->connect();
  commands_->connect();
  cancels_ = std::make_unique<CancelListener>(
      config_.redis_host, config_.redis_port, keys_.cancel_channel(),
      [this](const Uuid& job) { loop_.post([this, job] { cancel_job(job); }); });
  stop_.on_stop([this] { loop_.post([this] { begin_shutdown(); }); });
  loop_.post([this] {
    refresh_registration();
    lease_timer_->arm(config_.worker_visibility_timeout_ms / 3);
    reclaim_timer_->arm(config_.worker_visibility_timeout_ms / 2);
    ensure_groups([this] { read_more(); });
  });
  log::info("worker.started", {{"worker", log::id(config_.worker_name)},
                               {"models", models_.size()},
                               {"max_in_flight", config_.worker_max_inflight}});
  loop_.run();
  // Results already handed to the writer are committed before we exit.
  writer_->stop();
  loader_->stop();
  cancels_.reset();
  http_.reset();
  if (auto redis = RedisClient::connect(config_.redis_host, config_.redis_port); redis.ok()) {
    (void)(*redis)->pipeline(worker_deregistration(keys_, config_.worker_name));
  }
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

int Worker::budget() const {
  return config_.worker_max_inflight - in_flight_;
}

void Worker::read_more() {
  if (reading_ || stopping_) return;
  if (budget() <= 0) return;  // back-pressure: resume on ack
  reading_ = true;
  read_band(0);
}

void Worker::read_band(int band) {
  // A model whose held deliveries reached its cap is not read (per-model back-pressure).
  int count = std::min(kReadBatch, budget());
  std::vector<std::size_t> streams;
  const std::size_t per_band = models_.size();
  for (std::size_t i = 0; i < stream_keys_.size(); ++i) {
    const std::size_t b = i / per_band;
    if (band < kPriorityBands && b != static_cast<std::size_t>(band)) continue;
    const ModelConfig* m = models_[i % per_band];
    const int room = m->max_concurrency - held_[m->id];
    if (room <= 0) continue;
    count = std::min(count, room);
    streams.push_back(i);
  }
  if (streams.empty() || count <= 0) {
    if (band < kPriorityBands) return read_band(band + 1);
    reading_ = false;
    retry_read_timer_->arm(100);  // every model is full: look again shortly
    return;
  }
  RedisArgs args{"XREADGROUP",        "GROUP", kConsumerGroup,
                 config_.worker_name, "COUNT", std::to_string(count)};
  if (band >= kPriorityBands) {
    args.push_back("BLOCK");
    args.push_back(std::to_string(kBlockMs));
  }
  args.push_back("STREAMS");
  for (std::size_t i : streams)
    args.push_back(stream_keys_[i]);
  for (std::size_t i = 0; i < streams.size(); ++i)
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
  take_deliveries(std::move(deliveries), std::move(malformed));
  reading_ = false;
  read_more();
}

void Worker::take_deliveries(std::vector<Delivery> deliveries, std::vector<Delivery> malformed) {
  in_flight_ += static_cast<int>(deliveries.size() + malformed.size());
  metrics().in_flight.set(in_flight_);
  for (const auto& d : malformed) {
    ++held_[d.model];
    leases_->hold(d);
  }
  if (!malformed.empty()) acknowledge(malformed);
  for (auto& d : deliveries) {
    ++held_[d.model];
    leases_->hold(d);
    loader_->push(std::move(d));
  }
}

void Worker::renew_leases() {
  leases_->heartbeat();
  lease_timer_->arm(config_.worker_visibility_timeout_ms / 3);
}

void Worker::reclaim_idle() {
  reclaim_timer_->arm(config_.worker_visibility_timeout_ms / 2);
  if (stopping_) return;
  for (std::size_t i = 0; i < stream_keys_.size(); ++i) {
    const int limit = std::min(kReclaimBatch, budget());
    if (limit <= 0) return;
    leases_->reclaim(stream_keys_[i], stream_models_[i], config_.worker_visibility_timeout_ms,
                     limit, [this](std::vector<Delivery> good, std::vector<Delivery> malformed) {
                       // A delivery of our own whose lease lapsed (a stalled loop) is already
                       // being worked on here.
                       std::erase_if(good, [this](const Delivery& d) { return leases_->holds(d); });
                       std::erase_if(malformed,
                                     [this](const Delivery& d) { return leases_->holds(d); });
                       if (good.empty() && malformed.empty()) return;
                       metrics().reclaimed.inc(good.size());
                       log::info("worker.reclaimed", {{"deliveries", good.size()}});
                       take_deliveries(std::move(good), std::move(malformed));
                     });
  }
}

void Worker::refresh_registration() {
  registry_timer_->arm(config_.worker_registry_refresh_ms);
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  WorkerInfo w;
  w.id = config_.worker_name;
  w.host = host;
  w.pid = static_cast<int>(getpid());
  w.started_ms = started_ms_;
  w.last_seen_ms = now_ms();
  w.in_flight = in_flight_;
  w.max_in_flight = config_.worker_max_inflight;
  for (const ModelConfig* m : models_)
    w.models.push_back(m->id);
  w.queues = stream_keys_;
  for (auto& args : worker_registration(keys_, w))
    commands_->command(args, [](Result<RedisReply>) {});
}

void Worker::load_batch(std::vector<Delivery>& batch) {
  for (int tries = 0;; ++tries) {
    if (!loader_conn_) {
      auto c = pg_connect(config_.database_url);
      if (c.ok()) loader_conn_ = std::move(*c);
    }
    if (loader_conn_) {
      try {
        auto jobs = load_jobs(*loader_conn_, config_.keyring, batch, &config_);
        loop_.post([this, jobs = std::move(jobs)]() mutable { on_loaded(std::move(jobs)); });
        return;
      } catch (const std::exception& e) {
        log::warn("worker.load_failed", {{"error", log::code(error_code_name(pg_error(e).code))}});
        loader_conn_.reset();
      }
    }
    if (stop_.stop_requested() && tries > 5) {
      // Give up: the deliveries stay pending in Redis and are reclaimed by another worker.
      loop_.post([this, batch] {
        for (const auto& d : batch)
          hand_back(d);
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
    if (job.skip || cancelled_.count(job.delivery.job_id) > 0) {
      metrics().skipped.inc();
      nothing_to_do.push_back(std::move(job.delivery));
    } else if (job.unreadable) {
      ProviderOutcome o;
      o.kind = ProviderOutcome::Kind::kFinal;
      o.error_code = "content_unreadable";
      record(job, o, now_ms(), 0);
    } else if (job.delivery.times_delivered > config_.worker_max_deliveries) {
      // Delivered again and again without a result: whatever kills its workers, stop here.
      metrics().poison.inc();
      log::warn("worker.poison_delivery", {{"job_id", log::id(job.delivery.job_id.to_string())},
                                           {"deliveries", job.delivery.times_delivered}});
      ProviderOutcome o;
      o.kind = ProviderOutcome::Kind::kFinal;
      o.error_code = "poison_delivery";
      record(job, o, now_ms(), 0);
    } else if (stopping_) {
      hand_back(job.delivery);
    } else {
      auto gate = gates_.find(job.delivery.model);
      if (gate == gates_.end()) {
        start_call(std::move(job));  // not this group's model: start_call fails it
      } else {
        const double tokens = estimated_tokens(job);
        gate->second->admit(std::move(job), tokens);
      }
    }
  }
  if (!nothing_to_do.empty()) acknowledge(nothing_to_do);
  maybe_finish_shutdown();
}

void Worker::start_call(LoadedJob job) {
  ModelGate* gate = nullptr;
  if (auto g = gates_.find(job.delivery.model); g != gates_.end()) gate = g->second.get();
  auto fail = [&](const char* code) {
    if (gate != nullptr) gate->finished();
    ProviderOutcome o;
    o.kind = ProviderOutcome::Kind::kFinal;
    o.error_code = code;
    record(job, o, now_ms(), 0);
  };
  if (cancelled_.count(job.delivery.job_id) > 0) {
    // Cancelled while it waited for a slot: never called.
    if (gate != nullptr) gate->finished();
    metrics().skipped.inc();
    acknowledge({job.delivery});
    return;
  }
  const ModelConfig* model = config_.find_model(job.submitted.model);
  if (model == nullptr || gate == nullptr) return fail("model_not_configured");
  const Provider* provider = find_provider(model->provider);
  if (provider == nullptr) return fail("provider_not_supported");
  auto request = parse_json(job.submitted.request_json);
  if (!request.ok()) return fail("invalid_request");
  auto call = provider->build_call(*model, *request);
  if (!call.ok()) return fail("invalid_request");
  call->connect_timeout_ms = config_.worker_connect_timeout_ms;
  call->timeout_ms = config_.worker_request_timeout_ms;
  call->low_speed_seconds = config_.worker_low_speed_seconds;

  auto c = std::make_unique<Call>();
  c->model = model;
  c->provider = provider;
  c->started_ms = now_ms();
  c->started = std::chrono::steady_clock::now();
  if (model->stream) {
    c->stream = std::make_unique<StreamReader>(*provider, c->started);
    call->on_chunk = [reader = c->stream.get()](std::string_view bytes) {
      return reader->on_bytes(bytes, std::chrono::steady_clock::now());
    };
  }
  c->job = std::move(job);
  const std::uint64_t key = next_call_key_++;
  call_of_job_[c->job.delivery.job_id] = key;
  Call* raw = c.get();
  calls_.emplace(key, std::move(c));
  raw->call_id = http_->start(std::move(*call),
                              [this, key](HttpCallResult r) { on_call_done(key, std::move(r)); });
  metrics().calls.set(static_cast<double>(calls_.size()));
}

void Worker::on_call_done(std::uint64_t key, HttpCallResult result) {
  auto it = calls_.find(key);
  if (it == calls_.end()) return;
  std::unique_ptr<Call> call = std::move(it->second);
  calls_.erase(it);
  call_of_job_.erase(call->job.delivery.job_id);
  metrics().calls.set(static_cast<double>(calls_.size()));
  if (auto g = gates_.find(call->job.delivery.model); g != gates_.end()) g->second->finished();
  const auto elapsed = std::chrono::steady_clock::now() - call->started;
  const std::int64_t latency_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  metrics().call_seconds.observe(std::chrono::duration<double>(elapsed).count());
  const ProviderOutcome outcome = call->stream
                                      ? call->stream->finish(*call->model, std::move(result))
                                      : parse_result(*call->provider, *call->model, result);
  if (outcome.kind != ProviderOutcome::Kind::kSuccess) {
    log::info("worker.call_failed", {{"job_id", log::id(call->job.delivery.job_id.to_string())},
                                     {"attempt", call->job.delivery.attempt},
                                     {"http_status", outcome.http_status},
                                     {"error", log::code(outcome.error_code)},
                                     {"latency_ms", latency_ms}});
  }
  record(call->job, outcome, call->started_ms, latency_ms);
}

void Worker::cancel_job(const Uuid& job) {
  // Only jobs held here matter; the set is cleared as they are acknowledged.
  auto it = call_of_job_.find(job);
  if (it == call_of_job_.end()) {
    if (held_.empty()) return;
    cancelled_.insert(job);
    if (cancelled_.size() > 100000) cancelled_.clear();  // bounded: the log still has the truth
    return;
  }
  auto call_it = calls_.find(it->second);
  call_of_job_.erase(it);
  if (call_it == calls_.end()) return;
  std::unique_ptr<Call> call = std::move(call_it->second);
  calls_.erase(call_it);
  metrics().calls.set(static_cast<double>(calls_.size()));
  http_->cancel(call->call_id);
  metrics().cancelled.inc();
  if (auto g = gates_.find(call->job.delivery.model); g != gates_.end()) g->second->finished();
  log::info("worker.call_cancelled", {{"job_id", log::id(job.to_string())}});
  // The job's JobCancelled is already in the log; the delivery is done.
  acknowledge({call->job.delivery});
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
    hand_back(job.delivery);
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
    if (stop_.stop_requested() && tries > 5) {
      // Not acknowledged: the deliveries are redelivered and the calls made again.
      std::vector<Delivery> lost;
      for (const auto& w : batch)
        lost.push_back(w.delivery);
      loop_.post([this, lost = std::move(lost)] {
        for (const auto& d : lost)
          hand_back(d);
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
    leases_->release(d);
    if (--held_[d.model] <= 0) held_.erase(d.model);
    cancelled_.erase(d.job_id);
  }
  in_flight_ -= static_cast<int>(deliveries.size());
  metrics().in_flight.set(in_flight_);
  read_more();
  maybe_finish_shutdown();
}

void Worker::hand_back(const Delivery& d) {
  // Left pending in Redis without a lease: another worker reclaims it after the visibility
  // timeout.
  leases_->release(d);
  if (--held_[d.model] <= 0) held_.erase(d.model);
  --in_flight_;
  metrics().in_flight.set(in_flight_);
}

void Worker::begin_shutdown() {
  if (stopping_) return;
  stopping_ = true;
  log::info("worker.stopping", {{"in_flight", in_flight_}});
  for (auto& [model, gate] : gates_) {
    for (auto& job : gate->take_waiting())
      hand_back(job.delivery);
  }
  shutdown_deadline_->arm(config_.worker_shutdown_grace_ms);
  maybe_finish_shutdown();
}

void Worker::maybe_finish_shutdown() {
  if (stopping_ && in_flight_ <= 0) loop_.stop();
}

}  // namespace bl
