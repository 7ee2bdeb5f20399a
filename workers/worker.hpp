#pragma once
// A worker process (DESIGN.md §5). The loop thread drives Redis (a dedicated connection for
// blocking reads, another for acknowledgements, leases and rate limits), provider calls
// (libcurl multi) and timers. PostgreSQL runs on two threads of its own: the loader reads jobs
// for new deliveries, the writer appends results in group commits. A delivery is acknowledged
// in Redis only after its result is durable.
//
//   XREADGROUP / reclaim -> loader (PG) -> model gate (slots, fleet rate limits)
//     -> provider call (curl) -> writer (PG) -> XACK + XDEL + acked marker

#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "config/config.hpp"
#include "core/batching_thread.hpp"
#include "core/event_loop.hpp"
#include "core/http_client.hpp"
#include "core/queue_keys.hpp"
#include "core/redis.hpp"
#include "core/stop_signal.hpp"
#include "workers/cancel_listener.hpp"
#include "workers/delivery_leases.hpp"
#include "workers/job_loader.hpp"
#include "workers/model_gate.hpp"
#include "workers/provider.hpp"
#include "workers/result_writer.hpp"

namespace bl {

class Worker {
 public:
  Worker(const Config& config, StopSignal& stop);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  int run();

 private:
  struct Call;

  // Loop thread.
  void read_more();
  void read_band(int band);
  void on_read(Result<RedisReply> reply, int band);
  void take_deliveries(std::vector<Delivery> deliveries, std::vector<Delivery> malformed);
  void ensure_groups(std::function<void()> then);
  void on_loaded(std::vector<LoadedJob> jobs);
  void start_call(LoadedJob job);
  void on_call_done(std::uint64_t call_key, HttpCallResult result);
  void cancel_job(const Uuid& job);
  void record(LoadedJob& job, const ProviderOutcome& outcome, std::int64_t started_ms,
              std::int64_t latency_ms);
  void on_written(std::vector<Delivery> done);
  void acknowledge(const std::vector<Delivery>& deliveries);
  void hand_back(const Delivery& d);
  void renew_leases();
  void reclaim_idle();
  void refresh_registration();
  void begin_shutdown();
  void maybe_finish_shutdown();
  std::int64_t backoff_ms(int attempt, std::int64_t hint_ms);
  int budget() const;  // deliveries this worker may still take

  // Database threads.
  void load_batch(std::vector<Delivery>& batch);
  void write_batch(std::vector<ResultWrite>& batch);

  const Config& config_;
  StopSignal& stop_;
  QueueKeys keys_;
  std::vector<const ModelConfig*> models_;  // the worker group's models
  std::vector<std::string> stream_keys_;    // per model and band, band-major
  std::vector<std::string> stream_models_;  // model of each stream key
  std::int64_t started_ms_ = 0;

  EventLoop loop_;
  std::unique_ptr<RedisAsync> reader_;    // blocking XREADGROUP only
  std::unique_ptr<RedisAsync> commands_;  // everything else
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<DeliveryLeases> leases_;
  std::unique_ptr<CancelListener> cancels_;
  std::unordered_map<std::string, std::unique_ptr<ModelGate>> gates_;
  std::unique_ptr<Timer> retry_read_timer_;
  std::unique_ptr<Timer> shutdown_deadline_;
  std::unique_ptr<Timer> groups_retry_timer_;
  std::unique_ptr<Timer> lease_timer_;
  std::unique_ptr<Timer> reclaim_timer_;
  std::unique_ptr<Timer> registry_timer_;
  std::function<void()> groups_then_;  // what to do once the consumer groups exist

  // Loop-thread state.
  bool reading_ = false;
  bool stopping_ = false;
  int in_flight_ = 0;                             // deliveries held and not yet acknowledged
  std::unordered_map<std::string, int> held_;     // per model, of in_flight_
  std::unordered_set<Uuid, UuidHash> cancelled_;  // jobs cancelled while held here
  std::uint64_t next_call_key_ = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<Call>> calls_;
  std::unordered_map<Uuid, std::uint64_t, UuidHash> call_of_job_;
  std::mt19937_64 rng_{std::random_device{}()};

  // Database threads (each owns its connection).
  PgConnectionPtr loader_conn_;
  PgConnectionPtr writer_conn_;
  std::unique_ptr<BatchingThread<Delivery>> loader_;
  std::unique_ptr<BatchingThread<ResultWrite>> writer_;
};

}  // namespace bl
