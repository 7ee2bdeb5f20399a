// Limits of this machine, measured on the same servers as the scenarios: raw PostgreSQL COPY
// and multi-row INSERT of event-sized rows, Redis XADD and XREADGROUP pipelined, and the mock
// LLM's own request capacity.

#include <chrono>
#include <pqxx/stream_to>
#include <tuple>

#include "bench/harness/bench_pipeline.hpp"
#include "bench/harness/stats.hpp"
#include "bench/scenarios/scenarios.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/redis.hpp"

namespace bl::bench {
namespace {

using Clock = std::chrono::steady_clock;

// About the size of a JobSubmitted event's data: routing fields in clear and a sealed request
// (random bytes, so compression cannot flatter the figure).
std::string event_sized_data(std::size_t i) {
  return R"({"model":"bench-model","priority":500,"custom_id":"job-)" + std::to_string(i) +
         R"(","max_tokens":50,"request":{"k":"k1","n":")" + base64_encode(random_bytes(12)) +
         R"(","c":")" + base64_encode(random_bytes(420)) + R"("}})";
}

void create_event_table(pqxx::connection& conn) {
  pqxx::work tx(conn);
  tx.exec0("DROP TABLE IF EXISTS bench_events");
  tx.exec0("CREATE TABLE bench_events (LIKE events INCLUDING ALL)");
  tx.commit();
}

double pg_copy_rows_per_s(pqxx::connection& conn, int rows) {
  create_event_table(conn);
  constexpr int kRowsPerCommit = 10000;
  std::vector<std::string> data;
  for (int i = 0; i < rows; ++i)
    data.push_back(event_sized_data(static_cast<std::size_t>(i)));
  const auto start = Clock::now();
  for (int first = 0; first < rows; first += kRowsPerCommit) {
    pqxx::work tx(conn);
    pqxx::stream_to copy(tx, "bench_events",
                         std::vector<std::string>{"stream_id", "stream_type", "version",
                                                  "event_type", "data", "metadata"});
    for (int i = first; i < std::min(rows, first + kRowsPerCommit); ++i) {
      copy << std::make_tuple(Uuid::generate_v7().to_string(), "job", 1, "JobSubmitted",
                              data[static_cast<std::size_t>(i)], "{}");
    }
    copy.complete();
    tx.commit();
  }
  return rows / seconds_since(start);
}

double pg_insert_rows_per_s(pqxx::connection& conn, int rows) {
  create_event_table(conn);
  constexpr int kRowsPerInsert = 100;  // one POST /v1/jobs of 100 jobs
  const auto start = Clock::now();
  for (int first = 0; first < rows; first += kRowsPerInsert) {
    std::vector<Uuid> ids;
    std::vector<std::string> data;
    for (int i = first; i < std::min(rows, first + kRowsPerInsert); ++i) {
      ids.push_back(Uuid::generate_v7());
      data.push_back(event_sized_data(static_cast<std::size_t>(i)));
    }
    pqxx::work tx(conn);
    tx.exec_params0(
        "INSERT INTO bench_events (stream_id, stream_type, version, event_type, data) "
        "SELECT s, 'job', 1, 'JobSubmitted', d FROM unnest($1::uuid[], $2::jsonb[]) AS t(s, d)",
        pg_uuid_array(ids), pg_text_array(data));
    tx.commit();
  }
  return rows / seconds_since(start);
}

struct RedisRates {
  double xadd_per_s = 0;
  double xreadgroup_messages_per_s = 0;
  double xack_per_s = 0;
};

RedisRates redis_rates(RedisClient& redis, const std::string& prefix, int messages) {
  constexpr int kPipelineDepth = 500;
  constexpr int kReadCount = 100;
  const std::string key = prefix + ":bench:stream";
  (void)redis.command({"DEL", key});
  RedisRates r;
  std::vector<std::string> ids;
  auto start = Clock::now();
  for (int first = 0; first < messages; first += kPipelineDepth) {
    std::vector<RedisArgs> batch;
    for (int i = first; i < std::min(messages, first + kPipelineDepth); ++i)
      batch.push_back({"XADD", key, "*", "job", Uuid::generate_v7().to_string(), "attempt", "1"});
    auto replies = redis.pipeline(batch);
    if (!replies.ok()) return r;
    for (auto& reply : *replies)
      ids.push_back(reply.str);
  }
  r.xadd_per_s = messages / seconds_since(start);

  (void)redis.command({"XGROUP", "CREATE", key, "bench", "0"});
  start = Clock::now();
  int read = 0;
  while (read < messages) {
    std::vector<RedisArgs> batch(10, RedisArgs{"XREADGROUP", "GROUP", "bench", "c1", "COUNT",
                                               std::to_string(kReadCount), "STREAMS", key, ">"});
    auto replies = redis.pipeline(batch);
    if (!replies.ok()) return r;
    int got = 0;
    for (const auto& reply : *replies) {
      if (reply.is_nil() || reply.elements.empty()) continue;
      got += static_cast<int>(reply.elements[0].elements.size() > 1
                                  ? reply.elements[0].elements[1].elements.size()
                                  : 0);
    }
    if (got == 0) break;
    read += got;
  }
  r.xreadgroup_messages_per_s = read / seconds_since(start);

  start = Clock::now();
  for (std::size_t first = 0; first < ids.size(); first += kPipelineDepth) {
    std::vector<RedisArgs> batch;
    for (std::size_t i = first; i < std::min(ids.size(), first + kPipelineDepth); ++i)
      batch.push_back({"XACK", key, "bench", ids[i]});
    if (!redis.pipeline(batch).ok()) return r;
  }
  r.xack_per_s = static_cast<double>(ids.size()) / seconds_since(start);
  (void)redis.command({"DEL", key});
  return r;
}

// Closed loop of 64 keep-alive clients on the mock at 0 ms: requests per second it answers
// (the load generator shares the machine's two cores with it).
HttpLoadResult mock_capacity(int mock_port, int requests) {
  const std::string url = "http://127.0.0.1:" + std::to_string(mock_port) + "/v1/chat/completions";
  return run_http_load(static_cast<std::size_t>(requests), 64, [&](std::size_t i) {
    HttpCall call;
    call.url = url;
    call.body = R"({"model":"mock","max_tokens":50,"messages":[{"role":"system","content":)"
                R"("be brief"},{"role":"user","content":"question )" +
                std::to_string(i) + R"("}]})";
    call.headers = {"Content-Type: application/json", "Authorization: Bearer bench"};
    return call;
  });
}

}  // namespace

Limits run_limits(const BenchOptions& options, Report& report) {
  BenchPipelineOptions o;
  o.ingests = o.relays = o.workers = o.projectors = 0;
  BenchPipeline bench(o);
  auto conn = bench.connect();
  auto redis = bench.pipeline().redis.connect();
  auto& pg = report.add("limits", "PostgreSQL");
  auto& rd = report.add("limits", "Redis");
  auto& mock = report.add("limits", "mock LLM");
  if (!test::wait_until([&] {
        return test::http("GET", "http://127.0.0.1:" + std::to_string(bench.pipeline().mock_port) +
                                     "/healthz")
                   .status == 200;
      })) {
    mock.note("error", "mock did not start");
  }
  for (int i = 0; i < options.repeat; ++i) {
    pg.add("copy_rows_per_s", "rows/s", pg_copy_rows_per_s(*conn, options.size(200000)), true);
    pg.add("insert_100_rows_per_commit_rows_per_s", "rows/s",
           pg_insert_rows_per_s(*conn, options.size(50000)), true);
    const RedisRates r = redis_rates(*redis, bench.pipeline().redis.prefix(), options.size(200000));
    rd.add("xadd_pipelined_per_s", "ops/s", r.xadd_per_s, true);
    rd.add("xreadgroup_pipelined_messages_per_s", "msgs/s", r.xreadgroup_messages_per_s, true);
    rd.add("xack_pipelined_per_s", "ops/s", r.xack_per_s);
    const HttpLoadResult m = mock_capacity(bench.pipeline().mock_port, options.size(50000));
    mock.add("requests_per_s", "req/s", static_cast<double>(m.ok) / m.seconds, true);
    mock.add("latency_p50_ms", "ms", percentile(m.latencies_ms, 50));
    mock.add("latency_p99_ms", "ms", percentile(m.latencies_ms, 99));
    if (m.failed > 0) mock.note("failed_requests", std::to_string(m.failed));
  }
  pg.note("rows", "event-sized (about 700 bytes of data), table LIKE events INCLUDING ALL");
  pg.note("copy", "COPY, 10,000 rows per transaction");
  pg.note("insert", "INSERT … SELECT unnest, 100 rows per statement and commit, one client");
  mock.note("load", "64 keep-alive clients in the bench process, mock at 0 ms");
  {
    pqxx::work tx(*conn);
    tx.exec0("DROP TABLE IF EXISTS bench_events");
    tx.commit();
  }
  Limits limits;
  limits.pg_copy_rows_per_s = pg.median_of("copy_rows_per_s");
  limits.pg_insert_rows_per_s = pg.median_of("insert_100_rows_per_commit_rows_per_s");
  limits.redis_xadd_per_s = rd.median_of("xadd_pipelined_per_s");
  limits.mock_requests_per_s = mock.median_of("requests_per_s");
  return limits;
}

}  // namespace bl::bench
