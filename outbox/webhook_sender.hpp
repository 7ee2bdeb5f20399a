#pragma once
// The webhook sender, in every relay process: claims due webhook outbox rows
// (outbox/webhook_store.hpp), sends each as a signed POST (outbox/webhook_request.hpp) and
// records every attempt; a failed one is tried again later (outbox/webhook_retry.hpp) through
// the same outbox row.
//
// Threads: this one claims (PostgreSQL) and sleeps until a row is due, a NOTIFY bl_webhooks
// or the poll interval; a loop thread runs the HTTP calls (libcurl multi on libevent), many at
// once, up to webhook_max_in_flight; a recorder thread writes finished attempts in group
// commits. Delivery is at least once: a sender that dies after sending and before recording
// leaves the row to be claimed again when its lease ends, and the receiver sees the same
// webhook-id twice.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "core/batching_thread.hpp"
#include "core/event_loop.hpp"
#include "core/http_client.hpp"
#include "core/stop_signal.hpp"
#include "outbox/webhook_request.hpp"
#include "outbox/webhook_retry.hpp"
#include "outbox/webhook_store.hpp"

namespace bl {

class WebhookSender {
 public:
  WebhookSender(const Config& config, StopSignal& stop);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  int run();

 private:
  void claim_until_stopped();
  // Takes an in-flight slot for each claimed delivery whose endpoint has room; returns the
  // outbox ids of the others (to be deferred).
  std::vector<std::int64_t> take_slots(std::vector<ClaimedWebhook>& claimed);
  void dispatch(std::vector<ClaimedWebhook> claimed);
  // Loop thread.
  void on_answer(const ClaimedWebhook& delivery, std::int64_t started_ms,
                 const WebhookAnswer& answer);
  // Any thread.
  void finish(ClaimedWebhook delivery, WebhookDeliveryAttempted event);
  // Recorder thread.
  void record(std::vector<WebhookAttempt>& batch);
  void wait_for_in_flight(std::chrono::milliseconds limit);

  const Config& config_;
  StopSignal& stop_;
  const WebhookRetryPolicy retry_;

  EventLoop loop_;
  std::unique_ptr<HttpClient> http_;  // loop thread only
  std::thread loop_thread_;
  std::mt19937_64 rng_{std::random_device{}()};  // loop thread only

  PgConnectionPtr recorder_conn_;  // recorder thread only
  std::unique_ptr<BatchingThread<WebhookAttempt>> recorder_;

  std::mutex mutex_;
  std::condition_variable capacity_;
  int in_flight_ = 0;  // claimed and not yet recorded; GUARDED_BY(mutex_)
  std::unordered_map<Uuid, int, UuidHash> endpoint_in_flight_;  // GUARDED_BY(mutex_)
};

}  // namespace bl
