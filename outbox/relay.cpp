#include "outbox/relay.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/event_log.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/outbox_rows.hpp"
#include "core/pg.hpp"
#include "core/pg_wait.hpp"
#include "outbox/due_time.hpp"
#include "outbox/enqueue_script.hpp"

namespace bl {
namespace {

// The marker only has to outlive a re-send after a crash (seconds), and must outlive the
// delivery's wait in the stream: while it exists the sweeper leaves the job alone. A week
// covers any backlog; the TTL just bounds markers a lost acknowledgement leaves behind.
constexpr int kMarkerTtlSeconds = 7 * 86400;

struct RelayMetrics {
  Counter& delivered = MetricsRegistry::global().counter("bl_relay_deliveries_total",
                                                         "outbox rows pushed to Redis and deleted");
  Counter& duplicates = MetricsRegistry::global().counter(
      "bl_relay_duplicate_pushes_total", "pushes skipped because the delivery was already queued");
  Counter& failures =
      MetricsRegistry::global().counter("bl_relay_failures_total", "relay cycles rolled back");
  Counter& claims = MetricsRegistry::global().counter("bl_relay_claims_total",
                                                      "claim transactions run, idle ones included");
};

RelayMetrics& metrics() {
  static RelayMetrics m;
  return m;
}

}  // namespace

Relay::Relay(const Config& config, StopSignal& stop)
    : config_(config), stop_(stop), keys_(config.redis_prefix) {}

Status Relay::push(const std::vector<std::vector<std::string>>& rows) {
  if (!redis_) {
    auto r = RedisClient::connect(config_.redis_host, config_.redis_port);
    if (!r.ok()) return r.error();
    redis_ = std::move(*r);
  }
  const RedisScript& script = enqueue_script();
  std::vector<RedisArgs> commands;
  commands.reserve(rows.size());
  for (const auto& row : rows) {
    // row: queue, job id, attempt, priority
    const auto job = Uuid::parse(row[1]).value_or(Uuid());
    const int attempt = std::stoi(row[2]);
    const int priority = std::stoi(row[3]);
    commands.push_back(script.evalsha(
        {keys_.delivery(row[0], job, attempt), keys_.stream(row[0], priority_band(priority))},
        {std::to_string(kMarkerTtlSeconds), row[1], row[2], row[3]}));
  }
  for (int round = 0; round < 2; ++round) {
    auto replies = redis_->pipeline(commands);
    if (!replies.ok()) {
      redis_.reset();  // reconnect next time
      return replies.error();
    }
    bool noscript = false;
    for (const auto& r : *replies) {
      if (is_noscript(r)) {
        noscript = true;
      } else if (r.is_error()) {
        return Error::unavailable("redis refused an enqueue");
      } else if (r.is_nil()) {
        metrics().duplicates.inc();
      }
    }
    if (!noscript) return {};
    // The server lost its script cache (restart): load and push again; markers de-duplicate.
    auto loaded = redis_->command({"SCRIPT", "LOAD", script.source()});
    if (!loaded.ok()) return loaded.error();
  }
  return Error::unavailable("redis keeps forgetting the enqueue script");
}

Result<int> Relay::relay_once(pqxx::connection& conn) {
  return pg_call([&]() -> Result<int> {
    pqxx::work tx(conn);
    const auto claimed = tx.exec_params(
        "DELETE FROM outbox WHERE id IN ("
        " SELECT id FROM outbox WHERE kind = $1 AND due_at <= now() ORDER BY due_at, id"
        " LIMIT $2 FOR UPDATE SKIP LOCKED)"
        " RETURNING queue, stream_id::text, attempt, priority",
        kOutboxKindJob, config_.relay_batch_size);
    metrics().claims.inc();
    if (claimed.empty()) return 0;
    std::vector<std::vector<std::string>> rows;
    rows.reserve(claimed.size());
    for (const auto& r : claimed) {
      rows.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                      r[3].as<std::string>()});
    }
    if (auto s = push(rows); !s.ok()) {
      tx.abort();  // the rows become claimable again
      metrics().failures.inc();
      return s.error();
    }
    fault_hook_.after_push();
    tx.commit();
    metrics().delivered.inc(rows.size());
    log::debug("relay.delivered", {{"rows", rows.size()}});
    return static_cast<int>(rows.size());
  });
}

std::int64_t Relay::next_due_in_ms(pqxx::connection& conn) {
  return sleep_until_due_ms(conn, kOutboxKindJob, config_.relay_poll_ms);
}

int Relay::run() {
  log::info("relay.started",
            {{"batch_size", config_.relay_batch_size}, {"poll_ms", config_.relay_poll_ms}});
  ListeningConnection conn(config_.database_url, kOutboxChannel);
  while (!stop_.stop_requested()) {
    if (!conn.open(stop_, "relay.db_unavailable")) continue;
    auto n = relay_once(conn.get());
    if (!n.ok()) {
      log::warn("relay.cycle_failed", {{"error", log::code(error_code_name(n.error().code))}});
      conn.close_if_broken(n.error());
      stop_.wait_for(std::chrono::milliseconds(200));
      continue;
    }
    if (*n >= config_.relay_batch_size) continue;  // more may be due: no wait
    const std::int64_t wait_ms = next_due_in_ms(conn.get());
    if (wait_ms > 0) conn.wait(wait_ms, stop_, "relay.listen_failed");
  }
  log::info("relay.stopped", {});
  return 0;
}

}  // namespace bl
