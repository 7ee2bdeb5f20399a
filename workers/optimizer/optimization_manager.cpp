#include "workers/optimizer/optimization_manager.hpp"

#include <tuple>

#include "core/job_cancellation.hpp"
#include "core/leader_loop.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "workers/optimizer/job_chain_store.hpp"
#include "workers/optimizer/next_step.hpp"
#include "workers/optimizer/optimization_store.hpp"

namespace bl {
namespace {

constexpr int kRunsPerPass = 100;
// Steps written for one run in one pass before the others get their turn.
constexpr int kStepsPerRun = 8;

Counter& steps_written() {
  static Counter& c = MetricsRegistry::global().counter(
      "bl_optimization_steps_total", "optimization run steps written by the manager");
  return c;
}

// The status the index row takes after a step (empty: unchanged).
std::string status_after(const RunStep& step) {
  for (const auto& e : step.run_events) {
    if (e.type != optimization_event::kFinished) continue;
    auto doc = parse_json(e.data);
    return doc.ok() ? std::string(json_string(*doc, "status").value_or("completed"))
                    : std::string("completed");
  }
  return {};
}

}  // namespace

OptimizationManager::OptimizationManager(const Config& config, StopSignal& stop)
    : config_(config), stop_(stop) {}

Result<int> OptimizationManager::advance(pqxx::connection& conn, const Uuid& id) {
  int written = 0;
  for (int i = 0; i < kStepsPerRun; ++i) {
    auto decided = pg_call([&]() -> Result<std::pair<OptimizationRun, RunStep>> {
      pqxx::read_transaction tx(conn);
      auto snap = read_optimization(tx, id, &config_.keyring, JobOutputs::kCurrentPhase);
      if (!snap.ok()) return snap.error();
      auto step = next_step(snap->run, snap->outcomes, config_.keyring);
      if (!step.ok()) return step.error();
      return std::make_pair(std::move(snap->run), std::move(*step));
    });
    if (!decided.ok()) return decided.error();
    // Named references, not a structured binding: clang 14 (the fuzz and sanitizer builds)
    // cannot capture bindings in the lambdas below.
    auto& run = decided->first;
    auto& step = decided->second;
    if (step.empty()) break;
    if (!step.cancel.empty()) {
      EventMetadata meta = run.owner;
      meta.request_id = "optimization:" + run.id.to_string();
      auto cancelled = cancel_queued_job_streams(conn, step.cancel, "optimization_cancelled", meta);
      if (!cancelled.ok()) return cancelled.error();
    }
    const std::string status = status_after(step);
    auto s = pg_call([&]() -> Status {
      pqxx::work tx(conn);
      if (auto a = append_to_run(tx, run, run.version, std::move(step.run_events),
                                 std::move(step.jobs.appends), status);
          !a.ok()) {
        return a;
      }
      insert_outbox_rows(tx, step.jobs.deliveries);
      tx.commit();
      return {};
    });
    if (!s.ok()) {
      if (s.error().code == ErrorCode::kVersionConflict) break;  // moved meanwhile: next pass
      return s.error();
    }
    steps_written().inc();
    ++written;
    log::info("optimization.step", {{"optimization_id", log::id(run.id.to_string())},
                                    {"round", run.round},
                                    {"jobs", step.jobs.deliveries.size()}});
  }
  return written;
}

Result<int> OptimizationManager::advance_chain(pqxx::connection& conn, const Uuid& id) {
  int written = 0;
  for (int i = 0; i < kStepsPerRun; ++i) {
    auto decided = pg_call([&]() -> Result<std::pair<JobChain, ChainStep>> {
      pqxx::read_transaction tx(conn);
      auto snap = read_job_chain(tx, id, &config_.keyring);
      if (!snap.ok()) return snap.error();
      auto step = next_chain_step(snap->chain, snap->outcomes, config_.keyring);
      if (!step.ok()) return step.error();
      return std::make_pair(std::move(snap->chain), std::move(*step));
    });
    if (!decided.ok()) return decided.error();
    auto& chain = decided->first;
    auto& step = decided->second;
    if (step.events.empty() && !step.proposed_prompt) break;
    auto s = pg_call([&]() -> Status {
      pqxx::work tx(conn);
      if (auto w = write_job_chain_step(tx, config_.keyring, chain, std::move(step)); !w.ok()) {
        return w;
      }
      tx.commit();
      return {};
    });
    if (!s.ok()) {
      if (s.error().code == ErrorCode::kVersionConflict) break;
      return s.error();
    }
    steps_written().inc();
    ++written;
  }
  return written;
}

Result<int> OptimizationManager::advance_once(pqxx::connection& conn) {
  struct Work {
    std::vector<Uuid> runs, chains;
  };
  auto ids = pg_call([&]() -> Result<Work> {
    pqxx::read_transaction tx(conn);
    Work out;
    for (const auto& r : tx.exec_params(
             "SELECT optimization_id::text FROM optimizations "
             "WHERE status IN ('running', 'cancelling') ORDER BY optimization_id LIMIT $1",
             kRunsPerPass)) {
      if (auto id = Uuid::parse(pg_view(r[0]))) out.runs.push_back(*id);
    }
    for (const auto& r :
         tx.exec_params("SELECT chain_id::text FROM job_chains WHERE status = 'running' "
                        "ORDER BY chain_id LIMIT $1",
                        kRunsPerPass * 10)) {
      if (auto id = Uuid::parse(pg_view(r[0]))) out.chains.push_back(*id);
    }
    return out;
  });
  if (!ids.ok()) return ids.error();
  int written = 0;
  for (auto [list, advance_one, field] :
       {std::tuple{&ids->runs, &OptimizationManager::advance, "optimization_id"},
        std::tuple{&ids->chains, &OptimizationManager::advance_chain, "chain_id"}}) {
    for (const auto& id : *list) {
      auto n = (this->*advance_one)(conn, id);
      if (!n.ok()) {
        log::warn("optimization.advance_failed",
                  {{field, log::id(id.to_string())},
                   {"error", log::code(error_code_name(n.error().code))}});
        if (!conn.is_open()) return n.error();
        continue;
      }
      written += *n;
    }
  }
  return written;
}

int OptimizationManager::run() {
  log::info("optimization_manager.started", {});
  run_leader_loop(config_.database_url, "optimization-manager",
                  config_.optimization_manager_poll_ms, stop_,
                  [this](pqxx::connection& conn) { return advance_once(conn).ok(); });
  log::info("optimization_manager.stopped", {});
  return 0;
}

}  // namespace bl
