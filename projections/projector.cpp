#include "projections/projector.hpp"

#include <chrono>
#include <thread>

#include "core/advisory_lock.hpp"
#include "core/event_log.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "projections/audit_projection.hpp"
#include "projections/batches_projection.hpp"
#include "projections/conversations_projection.hpp"
#include "projections/jobs_projection.hpp"
#include "projections/projection_lag.hpp"
#include "projections/usage_projection.hpp"
#include "projections/webhooks_projection.hpp"

namespace bl {
namespace {

constexpr auto kLeadershipRetry = std::chrono::seconds(1);
constexpr auto kLagInterval = std::chrono::seconds(2);

class WakeReceiver final : public pqxx::notification_receiver {
 public:
  explicit WakeReceiver(pqxx::connection& c) : pqxx::notification_receiver(c, kEventsChannel) {}
  void operator()(const std::string&, int) override {}
};

std::string leader_duty(std::string_view name) {
  return "projection:" + std::string(name);
}

// Measures events/s applied between lag samples and publishes lag and rate.
class ProjectionRate {
 public:
  explicit ProjectionRate(std::string_view name)
      : gauge_(MetricsRegistry::global().gauge("bl_projection_events_per_second",
                                               "events applied per second, last interval",
                                               "projection=\"" + std::string(name) + "\"")) {}
  void add(int applied) { applied_ += applied; }
  bool due(std::chrono::steady_clock::time_point now) const { return now - since_ >= kLagInterval; }
  void publish(std::chrono::steady_clock::time_point now) {
    const double seconds = std::chrono::duration<double>(now - since_).count();
    gauge_.set(seconds > 0 ? static_cast<double>(applied_) / seconds : 0);
    applied_ = 0;
    since_ = now;
  }

 private:
  Gauge& gauge_;
  std::int64_t applied_ = 0;
  std::chrono::steady_clock::time_point since_ = std::chrono::steady_clock::now();
};

}  // namespace

std::vector<std::unique_ptr<Projection>> all_projections(const Config& config) {
  std::vector<std::unique_ptr<Projection>> out;
  out.push_back(std::make_unique<JobsProjection>());
  out.push_back(std::make_unique<BatchesProjection>());
  out.push_back(std::make_unique<WebhooksProjection>());
  out.push_back(std::make_unique<UsageProjection>());
  out.push_back(std::make_unique<AuditProjection>());
  out.push_back(std::make_unique<ConversationsProjection>(config.keyring));
  return out;
}

std::unique_ptr<Projection> projection_named(const Config& config, std::string_view name) {
  for (auto& p : all_projections(config)) {
    if (p->name() == name) return std::move(p);
  }
  return nullptr;
}

Projector::Projector(const Config& config, StopSignal& stop,
                     std::vector<std::unique_ptr<Projection>> projections)
    : config_(config), stop_(stop), projections_(std::move(projections)) {}

Result<int> Projector::project_once(pqxx::connection& conn, Projection& projection) {
  const std::string name(projection.name());
  const auto start = std::chrono::steady_clock::now();
  auto applied = pg_call([&]() -> Result<int> {
    pqxx::work tx(conn);
    auto n = apply_page(tx, projection, name, config_.projector_page_size);
    if (n.ok() && *n > 0) tx.commit();
    return n;
  });
  if (applied.ok() && *applied > 0) {
    auto& reg = MetricsRegistry::global();
    const std::string labels = "projection=\"" + name + "\"";
    reg.counter("bl_projection_events_total", "events applied by projection", labels)
        .inc(static_cast<std::uint64_t>(*applied));
    reg.histogram("bl_projection_page_seconds", "time to apply one page", labels)
        .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return applied;
}

void Projector::run_projection(Projection& projection) {
  const std::string name(projection.name());
  PgConnectionPtr conn;
  std::unique_ptr<WakeReceiver> wake;
  bool leading = false;
  ProjectionRate rate(name);
  auto drop_connection = [&] {
    wake.reset();
    conn.reset();
    leading = false;  // the session lock died with the session
  };
  while (!stop_.stop_requested()) {
    if (!conn) {
      auto c = pg_connect(config_.database_url);
      if (!c.ok()) {
        stop_.wait_for(std::chrono::milliseconds(500));
        continue;
      }
      conn = std::move(*c);
      wake = std::make_unique<WakeReceiver>(*conn);
    }
    if (!leading) {
      auto got = try_lead(*conn, leader_duty(name));
      if (!got.ok()) {
        drop_connection();
        continue;
      }
      if (!*got) {
        stop_.wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(kLeadershipRetry));
        continue;
      }
      leading = true;
      log::info("projector.leader", {{"projection", log::code(name)}});
    }
    auto n = project_once(*conn, projection);
    if (!n.ok()) {
      log::warn("projector.page_failed", {{"projection", log::code(name)},
                                          {"error", log::code(error_code_name(n.error().code))}});
      if (!conn->is_open() || n.error().code == ErrorCode::kUnavailable) {
        drop_connection();
        stop_.wait_for(std::chrono::milliseconds(200));
      }
      continue;
    }
    rate.add(*n);
    const auto now = std::chrono::steady_clock::now();
    if (rate.due(now)) {
      rate.publish(now);
      if (auto lag = read_projection_lag(*conn, name); lag.ok()) publish_projection_lag(*lag);
    }
    if (*n >= config_.projector_page_size) continue;
    try {
      const int ms = config_.projector_poll_ms;
      conn->await_notification(ms / 1000, (ms % 1000) * 1000);
    } catch (const std::exception&) {
      drop_connection();
    }
  }
}

int Projector::run() {
  log::info("projector.started", {{"projections", projections_.size()}});
  std::vector<std::thread> threads;
  for (auto& p : projections_) {
    threads.emplace_back([this, &p] { run_projection(*p); });
  }
  for (auto& t : threads)
    t.join();
  log::info("projector.stopped", {});
  return 0;
}

}  // namespace bl
