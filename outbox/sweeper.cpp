#include "outbox/sweeper.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "core/advisory_lock.hpp"
#include "core/event_log.hpp"
#include "core/job_lifecycle.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/outbox_rows.hpp"
#include "outbox/webhook_store.hpp"

namespace bl {
namespace {

constexpr int kPageSize = 1000;
constexpr std::int64_t kSampleIntervalMs = 1000;
constexpr std::int64_t kPruneIntervalMs = 600000;
constexpr int kPruneBatch = 10000;
constexpr std::int64_t kLeaderRetryMs = 2000;
constexpr std::string_view kDuty = "sweeper";

struct SweeperMetrics {
  MetricsRegistry& r = MetricsRegistry::global();
  Counter& redispatched = r.counter("bl_sweeper_redispatched_total",
                                    "queued jobs whose Redis delivery was gone, re-dispatched");
  Counter& passes = r.counter("bl_sweeper_passes_total", "sweeper passes completed");
  Gauge& leader =
      r.gauge("bl_sweeper_leader", "1 while this process is the installation's active sweeper");
  Histogram& pass_seconds = r.histogram("bl_sweeper_pass_seconds", "time of one sweeper pass");
};

SweeperMetrics& metrics() {
  static SweeperMetrics m;
  return m;
}

}  // namespace

struct Sweeper::Candidate {
  Uuid job;
  std::string model;
  int priority = 500;
  int attempt = 1;            // the current attempt: 1 + attempts that failed
  int version = 0;            // the stream version the read model showed
  std::string updated_at;     // paging cursor, as PostgreSQL prints it (exact)
  bool acked_marker = false;  // the marker is a worker's acknowledgement, not a delivery
};

Sweeper::Sweeper(const Config& config, StopSignal& stop)
    : config_(config), stop_(stop), keys_(config.redis_prefix), gauges_(config) {}

Sweeper::~Sweeper() = default;

Status Sweeper::ensure_redis() {
  if (redis_) return {};
  auto r = RedisClient::connect(config_.redis_host, config_.redis_port);
  if (!r.ok()) return r.error();
  redis_ = std::move(*r);
  return {};
}

Result<std::vector<Sweeper::Candidate>> Sweeper::next_page(pqxx::connection& conn,
                                                           const Candidate* after) {
  return pg_call([&]() -> Result<std::vector<Candidate>> {
    pqxx::read_transaction tx(conn);
    const auto rows = tx.exec_params(
        "SELECT job_id::text, model, priority, attempts, version, updated_at::text FROM jobs j"
        " WHERE status = 'queued' AND updated_at < now() - make_interval(secs => $1 / 1000.0)"
        " AND (updated_at, job_id) > ($2::timestamptz, $3::uuid)"
        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.stream_id = j.job_id)"
        " ORDER BY updated_at, job_id LIMIT $4",
        config_.sweeper_timeout_ms, after ? after->updated_at : std::string("-infinity"),
        after ? after->job.to_string() : Uuid().to_string(), kPageSize);
    std::vector<Candidate> page;
    page.reserve(rows.size());
    for (const auto& r : rows) {
      Candidate c;
      c.job = Uuid::parse(pg_view(r[0])).value_or(Uuid());
      c.model = r[1].as<std::string>();
      c.priority = r[2].as<int>();
      c.attempt = r[3].as<int>() + 1;
      c.version = r[4].as<int>();
      c.updated_at = r[5].as<std::string>();
      page.push_back(std::move(c));
    }
    return page;
  });
}

Result<std::vector<Sweeper::Candidate>> Sweeper::without_delivery(std::vector<Candidate> page) {
  if (auto s = ensure_redis(); !s.ok()) return s.error();
  std::vector<RedisArgs> commands;
  commands.reserve(page.size());
  for (const auto& c : page)
    commands.push_back({"GET", keys_.delivery(c.model, c.job, c.attempt)});
  auto replies = redis_->pipeline(commands);
  if (!replies.ok()) {
    redis_.reset();
    return replies.error();
  }
  std::vector<Candidate> lost;
  for (std::size_t i = 0; i < page.size(); ++i) {
    const RedisReply& r = (*replies)[i];
    if (r.is_error()) return Error::unavailable("redis refused GET");
    if (r.is_nil() || r.str == kMarkerAcked) {
      page[i].acked_marker = !r.is_nil();
      lost.push_back(std::move(page[i]));
    }
  }
  return lost;
}

Status Sweeper::clear_acked_markers(const std::vector<Candidate>& jobs) {
  // Compare-and-delete: a marker the relay set since (a new delivery) stays.
  static const RedisScript script(R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua");
  std::vector<RedisArgs> commands;
  for (const auto& c : jobs) {
    if (c.acked_marker) {
      commands.push_back(script.eval({keys_.delivery(c.model, c.job, c.attempt)}, {kMarkerAcked}));
    }
  }
  if (commands.empty()) return {};
  if (auto s = ensure_redis(); !s.ok()) return s;
  auto replies = redis_->pipeline(commands);
  if (!replies.ok()) {
    redis_.reset();
    return replies.error();
  }
  for (const auto& r : *replies) {
    if (r.is_error()) return Error::unavailable("redis refused to clear a marker");
  }
  return {};
}

Result<int> Sweeper::redispatch(pqxx::connection& conn, const std::vector<Candidate>& lost) {
  std::vector<Uuid> ids;
  ids.reserve(lost.size());
  for (const auto& c : lost)
    ids.push_back(c.job);
  return pg_call([&]() -> Result<int> {
    pqxx::work tx(conn);
    lock_streams(tx, ids);  // first statement: serializes with workers recording results
    const StreamHeads heads = read_stream_heads(tx, ids);
    std::unordered_set<Uuid, UuidHash> in_outbox;
    for (const auto& r : tx.exec_params(
             "SELECT DISTINCT stream_id::text FROM outbox WHERE stream_id = ANY($1::uuid[])",
             pg_uuid_array(ids))) {
      if (auto id = Uuid::parse(pg_view(r[0]))) in_outbox.insert(*id);
    }
    std::vector<Candidate> confirmed;
    std::vector<OutboxRow> rows;
    for (const auto& c : lost) {
      auto head = heads.find(c.job);
      if (head == heads.end() || head->second.version != c.version) continue;  // moved on
      if (state_of_last_event(head->second.last_type) != JobState::kQueued) continue;
      if (in_outbox.count(c.job) != 0) continue;
      confirmed.push_back(c);
      rows.push_back(OutboxRow{c.job, c.model, c.attempt, c.priority, 0});
    }
    // Before the commit, so that the relay's SET NX cannot meet a stale acked marker.
    if (auto s = clear_acked_markers(confirmed); !s.ok()) return s.error();
    insert_outbox_rows(tx, rows);
    tx.commit();
    for (const auto& r : rows) {
      log::debug("sweeper.redispatched_job",
                 {{"job_id", log::id(r.job_id.to_string())}, {"attempt", r.attempt}});
    }
    return static_cast<int>(rows.size());
  });
}

Result<SweepResult> Sweeper::sweep_once(pqxx::connection& conn) {
  const auto start = std::chrono::steady_clock::now();
  SweepResult total;
  std::optional<Candidate> cursor;
  while (!stop_.stop_requested()) {
    auto page = next_page(conn, cursor ? &*cursor : nullptr);
    if (!page.ok()) return page.error();
    if (page->empty()) break;
    const bool full = page->size() == static_cast<std::size_t>(kPageSize);
    cursor = page->back();
    total.examined += static_cast<int>(page->size());
    auto lost = without_delivery(std::move(*page));
    if (!lost.ok()) return lost.error();
    total.lost += static_cast<int>(lost->size());
    if (!lost->empty()) {
      auto n = redispatch(conn, *lost);
      if (!n.ok()) return n.error();
      total.redispatched += *n;
    }
    if (!full) break;
  }
  metrics().passes.inc();
  metrics().redispatched.inc(static_cast<std::uint64_t>(total.redispatched));
  metrics().pass_seconds.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (total.redispatched > 0) {
    log::warn(
        "sweeper.redispatched",
        {{"examined", total.examined}, {"lost", total.lost}, {"redispatched", total.redispatched}});
  } else {
    log::debug("sweeper.pass", {{"examined", total.examined}, {"lost", total.lost}});
  }
  return total;
}

int Sweeper::run() {
  using Clock = std::chrono::steady_clock;
  PgConnectionPtr conn;
  bool leading = false;
  Clock::time_point next_sweep{};
  Clock::time_point next_sample{};
  Clock::time_point next_prune{};
  auto lose_connection = [&] {
    conn.reset();  // ends the session, which releases the leadership lock
    leading = false;
    metrics().leader.set(0);
  };
  while (!stop_.stop_requested()) {
    if (!conn) {
      auto c = pg_connect(config_.database_url);
      if (!c.ok()) {
        stop_.wait_for(std::chrono::milliseconds(1000));
        continue;
      }
      conn = std::move(*c);
    }
    if (!leading) {
      auto led = try_lead(*conn, kDuty);
      if (!led.ok()) {
        lose_connection();
        continue;
      }
      if (!*led) {
        stop_.wait_for(std::chrono::milliseconds(kLeaderRetryMs));
        continue;
      }
      leading = true;
      metrics().leader.set(1);
      log::info("sweeper.leader", {{"interval_ms", config_.sweeper_interval_ms},
                                   {"timeout_ms", config_.sweeper_timeout_ms}});
      next_sweep = next_sample = next_prune = Clock::now();
    }
    const auto now = Clock::now();
    if (now >= next_sample) {
      gauges_.sample(*conn);
      next_sample = now + std::chrono::milliseconds(kSampleIntervalMs);
    }
    if (now >= next_prune) {
      auto pruned = prune_webhook_deliveries(*conn, kWebhookRetentionDays, kPruneBatch);
      if (pruned.ok() && *pruned > 0) log::info("sweeper.pruned_webhooks", {{"rows", *pruned}});
      // A full batch: more are waiting, come back soon.
      const bool more = pruned.ok() && *pruned == kPruneBatch;
      next_prune = now + std::chrono::milliseconds(more ? kSampleIntervalMs : kPruneIntervalMs);
    }
    if (now >= next_sweep) {
      const auto pass_start = Clock::now();
      auto r = sweep_once(*conn);
      if (!r.ok()) {
        log::warn("sweeper.pass_failed", {{"error", log::code(error_code_name(r.error().code))}});
        if (!conn->is_open() || r.error().code == ErrorCode::kUnavailable) redis_.reset();
        if (!conn->is_open()) {
          lose_connection();
          continue;
        }
      }
      // A pass over a huge backlog may take a while: rest at least as long as it took, so the
      // sweeper never costs Redis and PostgreSQL more than half their attention.
      const auto took = Clock::now() - pass_start;
      next_sweep = Clock::now() + std::max<Clock::duration>(
                                      took, std::chrono::milliseconds(config_.sweeper_interval_ms));
    }
    const auto wake = std::min({next_sweep, next_sample, next_prune});
    stop_.wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()));
  }
  return 0;
}

}  // namespace bl
