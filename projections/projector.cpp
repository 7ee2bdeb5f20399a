#include "projections/projector.hpp"

#include <charconv>
#include <chrono>

#include "core/event_log.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "projections/batches_projection.hpp"
#include "projections/jobs_projection.hpp"
#include "projections/webhooks_projection.hpp"

namespace bl {
namespace {

class WakeReceiver final : public pqxx::notification_receiver {
 public:
  explicit WakeReceiver(pqxx::connection& c) : pqxx::notification_receiver(c, kEventsChannel) {}
  void operator()(const std::string&, int) override {}
};

std::int64_t leader_lock_key(std::string_view name) {
  // FNV-1a of "projection:<name>": stable across processes and builds.
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : std::string("projection:") + std::string(name)) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  return static_cast<std::int64_t>(h);
}

Checkpoint parse_checkpoint(const pqxx::row& r) {
  Checkpoint cp;
  const auto tx = pg_view(r[0]);
  std::from_chars(tx.data(), tx.data() + tx.size(), cp.tx_id);
  cp.position = r[1].as<std::int64_t>();
  return cp;
}

}  // namespace

std::vector<std::unique_ptr<Projection>> all_projections() {
  std::vector<std::unique_ptr<Projection>> out;
  out.push_back(std::make_unique<JobsProjection>());
  out.push_back(std::make_unique<BatchesProjection>());
  out.push_back(std::make_unique<WebhooksProjection>());
  return out;
}

Result<Checkpoint> read_checkpoint(pqxx::connection& conn, const std::string& name) {
  return pg_call([&]() -> Result<Checkpoint> {
    pqxx::nontransaction tx(conn);
    const auto rows = tx.exec_params(
        "SELECT last_tx_id::text, last_position FROM projection_checkpoints WHERE name = $1", name);
    if (rows.empty()) return Checkpoint{};
    return parse_checkpoint(rows[0]);
  });
}

Projector::Projector(const Config& config, StopSignal& stop,
                     std::vector<std::unique_ptr<Projection>> projections)
    : config_(config),
      stop_(stop),
      projections_(std::move(projections)),
      leading_(projections_.size(), false) {}

Result<int> Projector::project_once(pqxx::connection& conn, Projection& projection) {
  const std::string name(projection.name());
  const auto start = std::chrono::steady_clock::now();
  auto applied = pg_call([&]() -> Result<int> {
    pqxx::work tx(conn);
    const auto cp_rows = tx.exec_params(
        "SELECT last_tx_id::text, last_position FROM projection_checkpoints WHERE name = $1", name);
    const Checkpoint from = cp_rows.empty() ? Checkpoint{} : parse_checkpoint(cp_rows[0]);
    // Reading before any write: this transaction has no xid yet, so the snapshot's xmin
    // is not held back by ourselves.
    const auto events = read_events_after(tx, from, config_.projector_page_size);
    if (events.empty()) return 0;
    projection.apply(tx, events);
    const Checkpoint to{events.back().tx_id, events.back().position};
    const auto moved = tx.exec_params(
        "INSERT INTO projection_checkpoints AS c (name, last_tx_id, last_position, updated_at)"
        " VALUES ($1, $2::xid8, $3, now())"
        " ON CONFLICT (name) DO UPDATE SET last_tx_id = EXCLUDED.last_tx_id,"
        " last_position = EXCLUDED.last_position, updated_at = now()"
        " WHERE c.last_tx_id = $4::xid8 AND c.last_position = $5",
        name, std::to_string(to.tx_id), to.position, std::to_string(from.tx_id), from.position);
    if (moved.affected_rows() != 1) {
      return Error::conflict("checkpoint of projection " + name + " moved concurrently");
    }
    tx.commit();
    return static_cast<int>(events.size());
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

void Projector::acquire_leadership(pqxx::connection& conn) {
  for (std::size_t i = 0; i < projections_.size(); ++i) {
    if (leading_[i]) continue;
    auto got = pg_call([&]() -> Result<bool> {
      pqxx::nontransaction tx(conn);
      return tx
          .exec_params1("SELECT pg_try_advisory_lock($1)",
                        leader_lock_key(projections_[i]->name()))[0]
          .as<bool>();
    });
    if (got.ok() && *got) {
      leading_[i] = true;
      log::info("projector.leader", {{"projection", log::code(projections_[i]->name())}});
    }
  }
}

int Projector::run() {
  log::info("projector.started", {{"projections", projections_.size()}});
  PgConnectionPtr conn;
  std::unique_ptr<WakeReceiver> wake;
  auto last_leadership_try = std::chrono::steady_clock::time_point{};
  while (!stop_.stop_requested()) {
    if (!conn) {
      auto c = pg_connect(config_.database_url);
      if (!c.ok()) {
        stop_.wait_for(std::chrono::milliseconds(500));
        continue;
      }
      conn = std::move(*c);
      wake = std::make_unique<WakeReceiver>(*conn);
      std::fill(leading_.begin(), leading_.end(), false);  // session locks died with the old one
      last_leadership_try = {};
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_leadership_try > std::chrono::seconds(1)) {
      acquire_leadership(*conn);
      last_leadership_try = now;
    }
    bool busy = false;
    bool broken = false;
    for (std::size_t i = 0; i < projections_.size(); ++i) {
      if (!leading_[i]) continue;
      auto n = project_once(*conn, *projections_[i]);
      if (!n.ok()) {
        log::warn("projector.page_failed", {{"projection", log::code(projections_[i]->name())},
                                            {"error", log::code(error_code_name(n.error().code))}});
        broken = !conn->is_open() || n.error().code == ErrorCode::kUnavailable;
        continue;
      }
      busy = busy || *n >= config_.projector_page_size;
    }
    if (broken) {
      wake.reset();
      conn.reset();
      stop_.wait_for(std::chrono::milliseconds(200));
      continue;
    }
    if (busy) continue;
    try {
      const int ms = config_.projector_poll_ms;
      conn->await_notification(ms / 1000, (ms % 1000) * 1000);
    } catch (const std::exception&) {
      wake.reset();
      conn.reset();
    }
  }
  log::info("projector.stopped", {});
  return 0;
}

}  // namespace bl
