#include "outbox/webhook_sender.hpp"

#include <algorithm>
#include <chrono>

#include "core/event_log.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/outbox_rows.hpp"
#include "core/pg_wait.hpp"
#include "outbox/due_time.hpp"
#include "outbox/webhook_request.hpp"

namespace bl {
namespace {

constexpr int kClaimBatch = 100;
constexpr int kRecordBatch = 500;
// A lease outlives the call (webhook_timeout_ms) and its recording by this much.
constexpr std::int64_t kLeaseMarginMs = 60000;
// A delivery whose endpoint has its fill in flight is claimable again after this.
constexpr std::int64_t kDeferMs = 1000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct WebhookMetrics {
  MetricsRegistry& r = MetricsRegistry::global();
  Counter& outcome(WebhookOutcome o) {
    return r.counter("bl_webhook_attempts_total", "webhook attempts recorded, by outcome",
                     "outcome=\"" + std::string(webhook_outcome_name(o)) + "\"");
  }
  Counter& deferred = r.counter("bl_webhook_deferred_total",
                                "claimed webhooks put back: their endpoint had its fill in flight");
  Counter& superseded = r.counter("bl_webhook_attempts_superseded_total",
                                  "webhook attempts another sender had recorded first");
  Gauge& in_flight = r.gauge("bl_webhooks_in_flight", "webhook deliveries claimed, not recorded");
  Histogram& seconds = r.histogram("bl_webhook_request_seconds", "webhook request latency");
};

WebhookMetrics& metrics() {
  static WebhookMetrics m;
  return m;
}

}  // namespace

WebhookSender::WebhookSender(const Config& config, StopSignal& stop)
    : config_(config), stop_(stop), retry_(WebhookRetryPolicy::from(config)) {}

WebhookSender::~WebhookSender() = default;

int WebhookSender::run() {
  http_ = std::make_unique<HttpClient>(loop_, !config_.webhook_allow_private_addresses);
  recorder_ = std::make_unique<BatchingThread<WebhookAttempt>>(
      kRecordBatch, [this](std::vector<WebhookAttempt>& batch) { record(batch); });
  loop_thread_ = std::thread([this] { loop_.run(); });
  log::info("webhooks.started", {{"max_in_flight", config_.webhook_max_in_flight}});
  claim_until_stopped();
  // Calls in flight end (answered or timed out) and are recorded; what is left after that is
  // re-sent by whoever claims it when its lease ends.
  wait_for_in_flight(std::chrono::milliseconds(config_.webhook_timeout_ms + 2000));
  loop_.stop();
  loop_thread_.join();
  http_.reset();
  recorder_->stop();
  log::info("webhooks.stopped", {});
  return 0;
}

void WebhookSender::claim_until_stopped() {
  ListeningConnection conn(config_.database_url, kWebhooksChannel);
  const std::int64_t lease_ms = config_.webhook_timeout_ms + kLeaseMarginMs;
  while (!stop_.stop_requested()) {
    if (!conn.open(stop_, "webhooks.db_unavailable")) continue;
    int room = 0;
    {
      std::unique_lock lock(mutex_);
      room = config_.webhook_max_in_flight - in_flight_;
      if (room <= 0) {
        capacity_.wait_for(lock, std::chrono::milliseconds(config_.relay_poll_ms));
        continue;
      }
    }
    const int limit = std::min(room, kClaimBatch);
    auto claimed = claim_webhooks(conn.get(), limit, lease_ms);
    if (!claimed.ok()) {
      log::warn("webhooks.claim_failed",
                {{"error", log::code(error_code_name(claimed.error().code))}});
      conn.close_if_broken(claimed.error());
      stop_.wait_for(std::chrono::milliseconds(200));
      continue;
    }
    const bool full = claimed->size() == static_cast<std::size_t>(limit);
    const std::vector<std::int64_t> deferred = take_slots(*claimed);
    if (!deferred.empty()) {
      metrics().deferred.inc(deferred.size());
      if (auto s = defer_webhooks(conn.get(), deferred, kDeferMs); !s.ok()) {
        // Their lease runs out instead; they are sent a minute late.
        log::warn("webhooks.defer_failed", {{"error", log::code(error_code_name(s.error().code))}});
      }
    }
    if (!claimed->empty()) dispatch(std::move(*claimed));
    // Mostly deferred: the backlog is one busy endpoint's; claim again after a poll, not now.
    if (full && deferred.size() * 2 <= static_cast<std::size_t>(limit)) continue;
    const std::int64_t wait_ms =
        sleep_until_due_ms(conn.get(), kOutboxKindWebhook, config_.relay_poll_ms);
    if (wait_ms > 0) conn.wait(wait_ms, stop_, "webhooks.listen_failed");
  }
}

std::vector<std::int64_t> WebhookSender::take_slots(std::vector<ClaimedWebhook>& claimed) {
  std::vector<std::int64_t> deferred;
  std::vector<ClaimedWebhook> ready;
  std::lock_guard lock(mutex_);
  for (auto& d : claimed) {
    int& busy = endpoint_in_flight_[d.endpoint_id];
    if (busy >= config_.webhook_max_in_flight_per_endpoint) {
      deferred.push_back(d.outbox_id);
      continue;
    }
    ++busy;
    ready.push_back(std::move(d));
  }
  claimed = std::move(ready);
  in_flight_ += static_cast<int>(claimed.size());
  metrics().in_flight.set(in_flight_);
  return deferred;
}

void WebhookSender::dispatch(std::vector<ClaimedWebhook> claimed) {
  std::vector<ClaimedWebhook> to_send;
  for (auto& d : claimed) {
    if (d.found && d.endpoint_enabled) {
      to_send.push_back(std::move(d));
      continue;
    }
    // The endpoint was deleted after the notification was made: nothing to send.
    WebhookDeliveryAttempted e;
    e.attempt = d.attempt;
    e.endpoint_id = d.endpoint_id;
    e.outcome = WebhookOutcome::kAbandoned;
    e.error_code = d.found ? "endpoint_deleted" : "delivery_missing";
    e.attempted_at_ms = now_ms();
    finish(std::move(d), e);
  }
  if (to_send.empty()) return;
  loop_.post([this, to_send = std::move(to_send)]() mutable {
    const std::int64_t started = now_ms();
    for (auto& d : to_send) {
      auto call = webhook_request(d, config_, started / 1000);
      if (!call.ok()) {
        // The URL or secret cannot be opened (a data key missing from BL_DATA_KEYS): a failed
        // attempt, retried like any other, so that fixing the configuration delivers it.
        log::error("webhook.unsendable",
                   {{"delivery_id", log::id(d.delivery_id.to_string())},
                    {"error", log::code(error_code_name(call.error().code))}});
        on_answer(d, started, WebhookAnswer{false, 0, "endpoint_unreadable"});
        continue;
      }
      http_->start(std::move(*call), [this, d, started](HttpCallResult r) {
        on_answer(d, started, classify_webhook_answer(r));
      });
    }
  });
}

void WebhookSender::on_answer(const ClaimedWebhook& d, std::int64_t started_ms,
                              const WebhookAnswer& answer) {
  const std::int64_t now = now_ms();
  WebhookDeliveryAttempted e;
  e.attempt = d.attempt;
  e.endpoint_id = d.endpoint_id;
  e.http_status = answer.http_status;
  e.error_code = answer.error_code;
  e.attempted_at_ms = started_ms;
  e.duration_ms = now - started_ms;
  if (answer.delivered) {
    e.outcome = WebhookOutcome::kDelivered;
  } else if (auto next = webhook_retry_at(retry_, d.attempt, d.occurred_ms, now, rng_)) {
    e.outcome = WebhookOutcome::kRetryScheduled;
    e.next_attempt_at_ms = *next;
  } else {
    e.outcome = WebhookOutcome::kGaveUp;
  }
  metrics().seconds.observe(static_cast<double>(e.duration_ms) / 1000.0);
  log::write(answer.delivered ? log::Level::kDebug : log::Level::kInfo, "webhook.attempt",
             {{"delivery_id", log::id(d.delivery_id.to_string())},
              {"endpoint_id", log::id(d.endpoint_id.to_string())},
              {"attempt", d.attempt},
              {"http_status", answer.http_status},
              {"error", log::code(answer.error_code)},
              {"outcome", log::code(webhook_outcome_name(e.outcome))},
              {"duration_ms", e.duration_ms}});
  finish(d, e);
}

void WebhookSender::finish(ClaimedWebhook delivery, WebhookDeliveryAttempted event) {
  recorder_->push(WebhookAttempt{std::move(delivery), event});
}

void WebhookSender::record(std::vector<WebhookAttempt>& batch) {
  for (int tries = 0;; ++tries) {
    if (!recorder_conn_) {
      auto c = pg_connect(config_.database_url);
      if (c.ok()) recorder_conn_ = std::move(*c);
    }
    if (recorder_conn_) {
      try {
        const std::vector<bool> recorded = record_webhook_attempts(*recorder_conn_, batch);
        for (std::size_t i = 0; i < batch.size(); ++i) {
          if (recorded[i]) {
            metrics().outcome(batch[i].event.outcome).inc();
          } else {
            metrics().superseded.inc();
          }
        }
        break;
      } catch (const std::exception& e) {
        log::warn(
            "webhooks.record_failed",
            {{"error", log::code(error_code_name(pg_error(e).code))}, {"attempts", batch.size()}});
        recorder_conn_.reset();
      }
    }
    // Shutting down with the database away: unrecorded attempts are sent again by whoever
    // claims their rows when the leases end.
    if (stop_.stop_requested() && tries > 20) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  {
    std::lock_guard lock(mutex_);
    in_flight_ -= static_cast<int>(batch.size());
    metrics().in_flight.set(in_flight_);
    for (const auto& a : batch) {
      auto it = endpoint_in_flight_.find(a.delivery.endpoint_id);
      if (it != endpoint_in_flight_.end() && --it->second <= 0) endpoint_in_flight_.erase(it);
    }
  }
  capacity_.notify_all();
}

void WebhookSender::wait_for_in_flight(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  capacity_.wait_for(lock, limit, [&] { return in_flight_ == 0; });
}

}  // namespace bl
