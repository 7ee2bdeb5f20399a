// Chaos: jobs submitted (directly and as an OpenAI batch) while every role is SIGKILLed and
// restarted at random moments, Redis is FLUSHALLed once and restarted once, and PostgreSQL is
// restarted once (fast shutdown) while ingest accepts. Then the invariants: every acknowledged
// job has exactly one terminal event, no result is recorded twice, usage is recorded once per
// job, every batch line is in exactly one of the output and error files, and the jobs read
// model equals the fold of the log. It prints its figures.
//
// The short version runs in scripts/test; scripts/chaos runs the long one
// (BL_CHAOS_JOBS=20000, BL_CHAOS_KILLS=10). It has its own PostgreSQL cluster and Redis
// server, so it disturbs no other test.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "core/pg.hpp"
#include "core/redis.hpp"
#include "tests/support/batch_client.hpp"
#include "tests/support/job_requests.hpp"
#include "tests/support/private_postgres.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoi(v) : fallback;
}

// A redis-server of the test's own, without persistence, restartable on the same port.
class PrivateRedis {
 public:
  PrivateRedis() : port_(test::free_port()) { start(); }
  void start() {
    process_ = std::make_unique<test::Process>(
        "redis-server",
        std::vector<std::string>{"--port", std::to_string(port_), "--bind", "127.0.0.1", "--save",
                                 "", "--appendonly", "no"},
        test::RoleEnv{}, test::scratch_dir() + "/redis.log");
  }
  void kill() { process_->kill_now(); }
  bool answers() {
    auto c = RedisClient::connect("127.0.0.1", port_, 500);
    return c.ok() && (*c)->command({"PING"}).ok();
  }
  bool flushall() {
    auto c = RedisClient::connect("127.0.0.1", port_, 2000);
    return c.ok() && (*c)->command({"FLUSHALL"}).ok();
  }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  std::unique_ptr<test::Process> process_;
};

// One query against the private cluster; -1 while it is down.
long long scalar(const std::string& url, const std::string& sql) {
  auto conn = pg_connect(url);
  if (!conn.ok()) return -1;
  auto r = pg_call([&]() -> Result<long long> {
    pqxx::work tx(**conn);
    return tx.exec1(sql)[0].as<long long>();
  });
  return r.ok() ? *r : -1;
}

TEST(Chaos, KilledRolesFlushedRedisAndRestartedPostgresLoseNothing) {
  const int jobs_wanted = env_int("BL_CHAOS_JOBS", 500);
  const int kills_per_role = env_int("BL_CHAOS_KILLS", 2);
  // A SIGKILLed worker's deliveries are reclaimed by the next worker after the visibility
  // timeout (set short below); BL_CHAOS_KILL_WORKERS=0 spares the workers.
  const bool kill_workers = env_int("BL_CHAOS_KILL_WORKERS", 1) != 0;
  const int batch_lines = std::max(20, jobs_wanted / 10);
  test::PrivatePostgres pg;
  ASSERT_TRUE(pg.ok());
  PrivateRedis redis;
  ASSERT_TRUE(test::wait_until([&] { return redis.answers(); }));
  test::PipelineOptions options;
  options.start_roles = false;
  // About 10% of calls fail at the mock (rate limits, server errors, dropped connections,
  // malformed and truncated answers); BL_CHAOS_FAULTS=0 turns them off.
  if (env_int("BL_CHAOS_FAULTS", 1) != 0) {
    options.mock_args = {"--fault-429",       "0.02", "--fault-500",      "0.02",
                         "--fault-529",       "0.02", "--fault-drop",     "0.02",
                         "--fault-malformed", "0.01", "--fault-truncate", "0.01",
                         "--retry-after-ms",  "200"};
  }
  test::Pipeline p(options);
  p.env.set("BL_DATABASE_URL", pg.url());
  p.env.set("BL_REDIS_URL", redis.url());
  p.env.set("BL_AUTH_MAX_STALENESS_MS", "600000");
  p.env.set("BL_SWEEPER_INTERVAL_MS", "500");
  p.env.set("BL_SWEEPER_TIMEOUT_MS", "3000");
  p.env.set("BL_WORKER_VISIBILITY_TIMEOUT_MS", "3000");
  p.env.set("BL_LOG_LEVEL", "info");
  const std::vector<std::string> roles = {"ingest", "relay", "work", "project"};
  std::map<std::string, test::Process*> running;
  for (const auto& role : roles)
    running[role] = &p.start_role(role);
  ASSERT_TRUE(p.ready());
  ASSERT_TRUE(test::wait_until([&] { return p.get("/v1/jobs").status == 200; }));
  const std::string url = pg.url();
  // As a service manager would: a role that exited (one that started while PostgreSQL was
  // restarting gives up) is started again.
  int exits = 0;
  const auto supervise = [&] {
    for (auto& [role, process] : running) {
      if (!process->running()) {
        process = &p.start_role(role);
        ++exits;
      }
    }
  };

  // The batch: its lines are jobs too.
  std::string content;
  for (int i = 0; i < batch_lines; ++i)
    content += test::batch_line("line-" + std::to_string(i), "batch " + std::to_string(i)) + "\n";
  const std::string file_id = test::upload_batch_file(p, content);
  ASSERT_FALSE(file_id.empty());
  const auto created = test::create_batch(p, file_id);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string batch_id(*json_string(test::parse_or_die(created.body), "id"));

  // Submitter: 50 jobs a request, each request retried until it is acknowledged.
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<int> refused{0};
  std::atomic<bool> give_up{false};
  std::thread submitter([&] {
    for (int first = 0; first < jobs_wanted && !give_up;) {
      const int n = std::min(50, jobs_wanted - first);
      auto r = p.post("/v1/jobs", test::jobs_body(first, n));
      if (r.status != 202) {
        ++refused;
        continue;  // the next attempt is the retry; ingest or PostgreSQL is coming back
      }
      std::lock_guard lock(mu);
      for (auto& id : test::job_ids(r.body))
        acknowledged.push_back(id);
      first += n;
    }
  });
  struct Join {
    std::thread& t;
    std::atomic<bool>& stop;
    ~Join() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } join{submitter, give_up};

  // The disturbances, shuffled, each at a point of progress (terminal jobs), not a time.
  std::vector<std::string> plan;
  int kills_planned = 0;
  for (const auto& role : roles) {
    if (role == "work" && !kill_workers) continue;
    plan.insert(plan.end(), kills_per_role, role);
    kills_planned += kills_per_role;
  }
  plan.insert(plan.end(), {"flushall", "redis restart", "postgres restart"});
  std::mt19937 rng(static_cast<unsigned>(env_int("BL_CHAOS_SEED", 7)));
  std::shuffle(plan.begin(), plan.end(), rng);
  const long long total = jobs_wanted + batch_lines;
  const std::string terminal_sql =
      "SELECT count(*) FROM events WHERE event_type IN ('JobSucceeded','JobFailed','JobCancelled')";
  int kills = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const long long at =
        total * static_cast<long long>(i + 1) / static_cast<long long>(plan.size() + 2);
    ASSERT_TRUE(test::wait_until(
        [&] {
          supervise();
          return scalar(url, terminal_sql) >= at;
        },
        std::chrono::seconds(300), std::chrono::milliseconds(50)))
        << "no progress before " << plan[i];
    const std::string& what = plan[i];
    std::cout << "chaos: " << what << " at " << at << " jobs ended" << std::endl;
    if (what == "flushall") {
      EXPECT_TRUE(redis.flushall());
    } else if (what == "redis restart") {
      redis.kill();
      redis.start();
      ASSERT_TRUE(test::wait_until([&] { return redis.answers(); }));
    } else if (what == "postgres restart") {
      ASSERT_TRUE(pg.stop_fast());
      ASSERT_TRUE(pg.start());
    } else {
      running[what]->kill_now();
      running[what] = &p.start_role(what);
      ++kills;
    }
  }
  submitter.join();

  // Every job ends: acknowledged ones, and those committed although their answer was lost.
  const std::string terminal = "event_type IN ('JobSucceeded','JobFailed','JobCancelled')";
  const std::string unfinished_sql =
      "SELECT count(*) FROM events s WHERE s.event_type = 'JobSubmitted' AND NOT EXISTS"
      " (SELECT 1 FROM events e WHERE e.stream_id = s.stream_id AND e." +
      terminal + ")";
  EXPECT_TRUE(test::wait_until(
      [&] {
        supervise();
        return scalar(url, unfinished_sql) == 0;
      },
      std::chrono::seconds(600), std::chrono::milliseconds(200)))
      << scalar(url, unfinished_sql) << " jobs never ended";
  test::wait_for_batch_status(p, batch_id, "completed", std::chrono::seconds(300));

  // Invariants, from the log. First the jobs read model equals the fold of the log: every row
  // at its stream's last version (once the projection caught up).
  const std::string stale_sql =
      "SELECT count(*) FROM (SELECT stream_id, max(version) AS v FROM events WHERE"
      " stream_type = 'job' GROUP BY stream_id) s LEFT JOIN jobs j ON"
      " j.job_id = s.stream_id WHERE j.version IS DISTINCT FROM s.v";
  test::wait_until([&] { return scalar(url, stale_sql) == 0; }, std::chrono::seconds(60));
  const auto stale_rows = scalar(url, stale_sql);
  std::string ids = "{";
  for (std::size_t i = 0; i < acknowledged.size(); ++i)
    ids += (i ? "," : "") + acknowledged[i].substr(4);
  ids += "}";
  const auto lost = scalar(url, "SELECT count(*) FROM unnest('" + ids +
                                    "'::text[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM events e"
                                    " WHERE e.stream_id = a.id::uuid AND e." +
                                    terminal + ")");
  const auto duplicated = scalar(url, "SELECT count(*) FROM (SELECT stream_id FROM events WHERE " +
                                          terminal + " GROUP BY stream_id HAVING count(*) > 1) d");
  // Usage: the read model's tokens equal the tokens of the one result event of each job.
  const auto usage_mismatch =
      scalar(url,
             "SELECT count(*) FROM jobs j JOIN events e ON e.stream_id = j.job_id AND"
             " e.event_type = 'JobSucceeded' WHERE j.input_tokens IS DISTINCT FROM"
             " (e.data->'usage'->>'input_tokens')::int OR j.output_tokens IS DISTINCT FROM"
             " (e.data->'usage'->>'output_tokens')::int");

  // Batch lines: each custom_id in exactly one of the output and error files.
  int duplicate_lines = 0;
  auto out =
      test::lines_by_custom_id(p.get("/v1/batches/" + batch_id + "/output").body, &duplicate_lines);
  auto err =
      test::lines_by_custom_id(p.get("/v1/batches/" + batch_id + "/errors").body, &duplicate_lines);
  int in_both = 0;
  for (const auto& [id, line] : out)
    in_both += err.count(id);
  const std::size_t batch_total = out.size() + err.size() - static_cast<std::size_t>(in_both);

  std::cout << "chaos: jobs=" << acknowledged.size() << " batch_lines=" << batch_lines
            << " kills_survived=" << kills << " role_exits_restarted=" << exits
            << " refused_submissions=" << refused << " lost=" << lost
            << " duplicated=" << duplicated << " usage_mismatch=" << usage_mismatch
            << " stale_read_rows=" << stale_rows << " batch_lines_out=" << out.size()
            << " batch_lines_err=" << err.size() << " batch_lines_in_both=" << in_both << std::endl;
  EXPECT_EQ(acknowledged.size(), static_cast<std::size_t>(jobs_wanted));
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_EQ(usage_mismatch, 0);
  EXPECT_EQ(stale_rows, 0);
  EXPECT_EQ(duplicate_lines, 0);
  EXPECT_EQ(in_both, 0);
  EXPECT_EQ(batch_total, static_cast<std::size_t>(batch_lines));
  EXPECT_EQ(kills, kills_planned);
}

}  // namespace
}  // namespace bl
