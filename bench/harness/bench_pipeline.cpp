#include "bench/harness/bench_pipeline.hpp"

#include <stdexcept>
#include <thread>

#include "tests/support/job_requests.hpp"

namespace bl::bench {
namespace {

constexpr int kJobsPerRequest = 100;
constexpr int kClients = 32;

std::string bench_model_json(int mock_port) {
  return R"({"id": ")" + std::string(kBenchModel) +
         R"(", "provider": "openai", "base_url": "http://127.0.0.1:)" + std::to_string(mock_port) +
         R"(", "upstream_model": "mock", "max_concurrency": 10000,)"
         R"( "input_usd_per_mtok": 1.0, "output_usd_per_mtok": 2.0})";
}

}  // namespace

BenchPipeline::BenchPipeline(const BenchPipelineOptions& options) {
  test::PipelineOptions p;
  p.mock_latency_ms = options.mock_latency_ms;
  p.start_roles = false;
  // The mock's port is chosen inside Pipeline; the model entry needs it, so the config is
  // written again below with the port known.
  pipeline_ = std::make_unique<test::Pipeline>(p);
  auto& env = pipeline_->env;
  env.set("BL_CONFIG", test::write_models_config(pipeline_->mock_port, "",
                                                 bench_model_json(pipeline_->mock_port)));
  env.set("BL_LOG_LEVEL", "warn");
  env.set("BL_RATE_LIMIT_RPM", "100000000");
  env.set("BL_RATE_LIMIT_BURST", "100000000");
  if (options.worker_max_inflight > 0) {
    env.set("BL_WORKER_MAX_INFLIGHT", std::to_string(options.worker_max_inflight));
  }
  const std::vector<std::pair<std::string, int>> counts = {{"ingest", options.ingests},
                                                           {"relay", options.relays},
                                                           {"work", options.workers},
                                                           {"project", options.projectors}};
  roles_.push_back({"mock", pipeline_->mock->pid()});
  for (const auto& [role, n] : counts) {
    for (int i = 0; i < n; ++i)
      start_role(role);
  }
  for (const auto& s : service_processes())
    roles_.push_back(s);
  const bool ingest_ready =
      options.ingests == 0 ||
      test::wait_until([&] { return test::http("GET", pipeline_->url("/healthz")).status == 200; },
                       std::chrono::seconds(60));
  const std::string mock_health =
      "http://127.0.0.1:" + std::to_string(pipeline_->mock_port) + "/healthz";
  const bool mock_ready = test::wait_until(
      [&] { return test::http("GET", mock_health).status == 200; }, std::chrono::seconds(30));
  if (!ingest_ready || !mock_ready) throw std::runtime_error("ingest or mock did not start");
}

test::Process& BenchPipeline::start_role(const std::string& role) {
  test::RoleEnv extra;
  if (role == "work") {
    worker_admin_ports_.push_back(test::free_port());
    extra.set("BL_ADMIN_LISTEN", "127.0.0.1:" + std::to_string(worker_admin_ports_.back()));
  }
  test::Process& p = pipeline_->start_role(role, extra);
  roles_.push_back({role, p.pid()});
  return p;
}

RoleUsage BenchPipeline::usage() const {
  return RoleUsage(roles_);
}

PgConnectionPtr BenchPipeline::connect() const {
  return pipeline_->db.connect();
}

HttpCall BenchPipeline::jobs_call(int first, int count) const {
  HttpCall call;
  call.url = pipeline_->url("/v1/jobs");
  call.body = test::jobs_body(first, count, kBenchModel);
  call.headers = {pipeline_->auth_header(), "Content-Type: application/json"};
  return call;
}

HttpLoadResult BenchPipeline::submit_jobs(int jobs) const {
  const int requests = (jobs + kJobsPerRequest - 1) / kJobsPerRequest;
  return run_http_load(static_cast<std::size_t>(requests), kClients, [&](std::size_t i) {
    const int first = static_cast<int>(i) * kJobsPerRequest;
    return jobs_call(first, std::min(kJobsPerRequest, jobs - first));
  });
}

std::int64_t BenchPipeline::count_events(const std::string& event_type) const {
  auto conn = connect();
  pqxx::work tx(*conn);
  return tx.exec_params1("SELECT count(*) FROM events WHERE event_type = $1", event_type)[0]
      .as<std::int64_t>();
}

bool BenchPipeline::wait_for_events(const std::string& event_type, std::int64_t n,
                                    std::chrono::seconds deadline) const {
  auto conn = connect();
  return test::wait_until(
      [&] {
        pqxx::work tx(*conn);
        return tx.exec_params1("SELECT count(*) FROM events WHERE event_type = $1", event_type)[0]
                   .as<std::int64_t>() >= n;
      },
      deadline, std::chrono::milliseconds(50));
}

double BenchPipeline::sum_worker_metric(const std::string& name) const {
  double sum = 0;
  for (int port : worker_admin_ports_)
    sum += std::max(0.0, scrape_metric(port, name));
  return sum;
}

double scrape_metric(int admin_port, const std::string& name) {
  const auto r = test::http("GET", "http://127.0.0.1:" + std::to_string(admin_port) + "/metrics");
  const std::string line = "\n" + name + " ";
  const auto at = r.body.find(line);
  if (r.status != 200 || at == std::string::npos) return -1;
  return std::atof(r.body.c_str() + at + line.size());
}

std::pair<double, double> job_latency_ms(pqxx::connection& conn) {
  pqxx::work tx(conn);
  const auto row = tx.exec1(
      "SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), 0),"
      "       coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), 0) FROM ("
      "  SELECT extract(epoch FROM s.recorded_at - j.recorded_at) * 1000 AS ms"
      "  FROM events j JOIN events s ON s.stream_id = j.stream_id"
      "  WHERE j.event_type = 'JobSubmitted' AND s.event_type = 'JobSucceeded') t");
  return {row[0].as<double>(), row[1].as<double>()};
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace bl::bench
