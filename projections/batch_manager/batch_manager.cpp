#include "projections/batch_manager/batch_manager.hpp"

#include <chrono>

#include "core/event_log.hpp"
#include "core/file_store.hpp"
#include "core/leader_loop.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/queue_keys.hpp"
#include "projections/batch_manager/batch_finalization.hpp"
#include "projections/batch_manager/batch_jobs.hpp"
#include "projections/batch_queries.hpp"

namespace bl {
namespace {

constexpr int kBatchesPerPass = 100;
constexpr auto kHousekeepingEvery = std::chrono::seconds(30);

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Counter& ended_batches(std::string_view type) {
  return MetricsRegistry::global().counter("bl_batches_ended_total", "batches ended by outcome",
                                           "event=\"" + std::string(type) + "\"");
}

}  // namespace

BatchManager::BatchManager(const Config& config, StopSignal& stop) : config_(config), stop_(stop) {}

BatchManager::~BatchManager() = default;

Status BatchManager::advance(pqxx::connection& conn, const Uuid& id) {
  auto state = pg_call([&]() -> Result<std::pair<std::optional<BatchRow>, std::vector<BatchJob>>> {
    pqxx::read_transaction tx(conn);
    auto row = read_batch(tx, id);
    if (!row || is_ended(row->status) || row->status == BatchStatus::kValidating) {
      return std::make_pair(std::optional<BatchRow>(), std::vector<BatchJob>());
    }
    auto jobs = load_batch_jobs(tx, config_.keyring, id, BatchJobContent::kNone);
    if (!jobs.ok()) return jobs.error();
    return std::make_pair(std::move(row), std::move(*jobs));
  });
  if (!state.ok()) return state.error();
  auto& [row, jobs] = *state;
  if (!row) return {};

  const char* reason = nullptr;
  if (row->status == BatchStatus::kCancelling) {
    reason = "batch_cancelled";
  } else if (now_ms() >= row->expires_ms) {
    reason = "batch_expired";
  }
  if (reason != nullptr) {
    auto cancelled = cancel_queued_jobs(conn, *row, jobs, reason);
    if (!cancelled.ok()) return cancelled.error();
    if (!cancelled->empty()) {
      publish_cancels(*cancelled);
      log::info("batch.jobs_stopped", {{"batch_id", log::id(id.to_string())},
                                       {"reason", log::code(reason)},
                                       {"jobs", cancelled->size()}});
    }
  }
  // Re-read with the results opened: the state may have moved since the first read.
  auto full = pg_call([&]() -> Result<std::vector<BatchJob>> {
    pqxx::read_transaction tx(conn);
    return load_batch_jobs(tx, config_.keyring, id, BatchJobContent::kResults);
  });
  if (!full.ok()) return full.error();
  for (const auto& j : *full) {
    if (!is_terminal(j.state)) return {};  // not done yet
  }
  if (auto s = finalize_batch(conn, config_, *row, *full); !s.ok()) return s;
  const std::string_view type = final_event_type(*row, *full);
  ended_batches(type).inc();
  log::info(
      "batch.ended",
      {{"batch_id", log::id(id.to_string())}, {"event", log::code(type)}, {"jobs", full->size()}});
  return {};
}

void BatchManager::publish_cancels(const std::vector<Uuid>& jobs) {
  if (!redis_) {
    auto c = RedisClient::connect(config_.redis_host, config_.redis_port);
    if (!c.ok()) {
      // Workers still drop the results of cancelled jobs; only the call is not cut short.
      log::warn("batch.cancel_publish_failed", {{"jobs", jobs.size()}});
      return;
    }
    redis_ = std::move(*c);
  }
  const std::string channel = QueueKeys(config_.redis_prefix).cancel_channel();
  std::vector<RedisArgs> commands;
  commands.reserve(jobs.size());
  for (const auto& j : jobs)
    commands.push_back({"PUBLISH", channel, j.to_string()});
  if (!redis_->pipeline(commands).ok()) {
    redis_.reset();
    log::warn("batch.cancel_publish_failed", {{"jobs", jobs.size()}});
  }
}

Result<int> BatchManager::advance_once(pqxx::connection& conn) {
  auto ids = pg_call([&]() -> Result<std::vector<Uuid>> {
    pqxx::read_transaction tx(conn);
    return batches_needing_work(tx, kBatchesPerPass);
  });
  if (!ids.ok()) return ids.error();
  int advanced = 0;
  for (const auto& id : *ids) {
    auto s = advance(conn, id);
    if (!s.ok()) {
      log::warn("batch.advance_failed", {{"batch_id", log::id(id.to_string())},
                                         {"error", log::code(error_code_name(s.error().code))}});
      if (!conn.is_open()) return s.error();
      continue;
    }
    ++advanced;
  }
  return advanced;
}

void BatchManager::housekeeping(pqxx::connection& conn) {
  auto s = pg_call([&]() -> Status {
    pqxx::work tx(conn);
    const int files = delete_expired_files(tx, 1000);
    tx.exec_params("DELETE FROM batch_creates WHERE created_at < now() - make_interval(secs => $1)",
                   std::max(config_.batch_create_dedupe_s, 1));
    tx.commit();
    if (files > 0) log::info("files.expired", {{"files", files}});
    return {};
  });
  if (!s.ok()) {
    log::warn("batch.housekeeping_failed", {{"error", log::code(error_code_name(s.error().code))}});
  }
}

int BatchManager::run() {
  log::info("batch_manager.started", {});
  auto last_housekeeping = std::chrono::steady_clock::time_point{};
  run_leader_loop(config_.database_url, "batch-manager", config_.batch_manager_poll_ms, stop_,
                  [&](pqxx::connection& conn) {
                    auto n = advance_once(conn);
                    if (!n.ok() && !conn.is_open()) return false;
                    const auto now = std::chrono::steady_clock::now();
                    if (now - last_housekeeping > kHousekeepingEvery) {
                      last_housekeeping = now;
                      housekeeping(conn);
                    }
                    return true;
                  });
  log::info("batch_manager.stopped", {});
  return 0;
}

}  // namespace bl
