#include "outbox/queue_gauges.hpp"

#include <algorithm>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/outbox_rows.hpp"
#include "outbox/stream_trim.hpp"

namespace bl {
namespace {

Gauge& outbox_gauge(const char* name, const char* help, const char* kind) {
  return MetricsRegistry::global().gauge(name, help, "kind=\"" + std::string(kind) + "\"");
}

std::string stream_labels(const std::string& model, int band) {
  return "model=\"" + metric_label(model) + "\",band=\"" + std::to_string(band) + "\"";
}

Counter& trimmed_entries() {
  static Counter& c = MetricsRegistry::global().counter(
      "bl_queue_trimmed_entries_total", "acknowledged stream entries trimmed by the sweeper");
  return c;
}

}  // namespace

QueueGauges::QueueGauges(const Config& config) : config_(config), keys_(config.redis_prefix) {}

QueueGauges::~QueueGauges() = default;

void QueueGauges::sample(pqxx::connection& conn) {
  Status outbox = sample_outbox(conn);
  Status streams = sample_streams();
  if (!streams.ok()) redis_.reset();
  const bool ok = outbox.ok() && streams.ok();
  // Once per run of failures: a sample is taken every second.
  if (!ok && !failing_) {
    const Error& e = outbox.ok() ? streams.error() : outbox.error();
    log::warn("gauges.sample_failed", {{"outbox", outbox.ok()},
                                       {"streams", streams.ok()},
                                       {"error", log::code(error_code_name(e.code))}});
  }
  failing_ = !ok;
}

Status QueueGauges::sample_outbox(pqxx::connection& conn) {
  return pg_call([&]() -> Status {
    pqxx::read_transaction tx(conn);
    const auto rows = tx.exec(
        "SELECT kind, count(*), COALESCE(extract(epoch FROM now() - min(due_at)"
        " FILTER (WHERE due_at <= now())), 0)::float8 FROM outbox GROUP BY kind");
    double depth[2] = {0, 0};
    double oldest[2] = {0, 0};
    for (const auto& r : rows) {
      const int i = r[0].as<std::string>() == kOutboxKindWebhook ? 1 : 0;
      depth[i] += r[1].as<double>();
      oldest[i] = std::max(oldest[i], r[2].as<double>());
    }
    const char* kinds[2] = {kOutboxKindJob, kOutboxKindWebhook};
    for (int i = 0; i < 2; ++i) {
      outbox_gauge("bl_outbox_depth", "outbox rows waiting, due or not", kinds[i]).set(depth[i]);
      outbox_gauge("bl_outbox_oldest_due_seconds",
                   "age of the oldest due outbox row (0 when none is due)", kinds[i])
          .set(oldest[i]);
    }
    return {};
  });
}

Status QueueGauges::sample_streams() {
  if (config_.models.empty()) return {};
  if (!redis_) {
    auto r = RedisClient::connect(config_.redis_host, config_.redis_port);
    if (!r.ok()) return r.error();
    redis_ = std::move(*r);
  }
  auto& registry = MetricsRegistry::global();
  for (const auto& model : config_.models) {
    for (int band = 0; band < kPriorityBands; ++band) {
      const std::string key = keys_.stream(model.id, band);
      auto trimmed = trim_acknowledged(*redis_, key, kConsumerGroup);
      if (!trimmed.ok()) return trimmed.error();
      trimmed_entries().inc(static_cast<std::uint64_t>(*trimmed));
      auto replies = redis_->pipeline({{"XLEN", key}, {"XPENDING", key, kConsumerGroup}});
      if (!replies.ok()) return replies.error();
      const RedisReply& length = (*replies)[0];
      const RedisReply& pending = (*replies)[1];
      const std::string labels = stream_labels(model.id, band);
      registry.gauge("bl_queue_length", "entries in a queue stream", labels)
          .set(static_cast<double>(length.integer));
      const double held = pending.elements.empty() ? 0 : pending.elements[0].integer;
      registry.gauge("bl_queue_pending", "queue entries delivered and not acknowledged", labels)
          .set(held);
    }
  }
  return {};
}

}  // namespace bl
