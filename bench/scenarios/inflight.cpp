// inflight: mock at 500 ms, one worker allowed 10,000 calls in flight. The jobs are queued
// first (ingest and relay), then the worker starts: achieved in-flight (sampled from its
// /metrics), jobs/s as a ratio of in-flight ÷ latency, and the worker's RSS.

#include <atomic>
#include <thread>

#include "bench/harness/bench_pipeline.hpp"
#include "bench/scenarios/scenarios.hpp"

namespace bl::bench {
namespace {

constexpr int kLatencyMs = 500;
constexpr int kMaxInFlight = 10000;

bool outbox_empty(BenchPipeline& bench) {
  auto conn = bench.connect();
  return test::wait_until(
      [&] {
        pqxx::work tx(*conn);
        return tx.exec1("SELECT count(*) FROM outbox")[0].as<std::int64_t>() == 0;
      },
      std::chrono::seconds(300), std::chrono::milliseconds(100));
}

}  // namespace

void run_inflight(const BenchOptions& options, Report& report) {
  const int jobs = options.size(30000);
  auto& r = report.add("inflight", std::to_string(jobs) + " jobs, mock 500 ms, max 10,000");
  for (int i = 0; i < options.repeat; ++i) {
    BenchPipelineOptions o;
    o.mock_latency_ms = kLatencyMs;
    o.workers = 0;
    o.worker_max_inflight = kMaxInFlight;
    BenchPipeline bench(o);
    const HttpLoadResult load = bench.submit_jobs(jobs);
    const auto expected = static_cast<std::int64_t>(load.ok) * 100;
    if (!outbox_empty(bench)) {
      r.note("error", "relay did not drain the outbox");
      return;
    }
    bench.start_role("work");
    RoleUsage usage = bench.usage();
    usage.start();
    const auto start = std::chrono::steady_clock::now();
    std::atomic<bool> done{false};
    double peak = 0, sum = 0;
    int samples = 0;
    std::thread sampler([&] {
      const int port = bench.worker_admin_ports().back();
      while (!done) {
        const double v = scrape_metric(port, "bl_worker_in_flight");
        if (v > 0) {
          peak = std::max(peak, v);
          sum += v;
          ++samples;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
    const bool finished =
        bench.wait_for_events("JobSucceeded", expected, std::chrono::seconds(900));
    const double seconds = seconds_since(start);
    done = true;
    sampler.join();
    if (!finished) {
      r.note("error", "timed out waiting for results");
      return;
    }
    const double jobs_per_s = static_cast<double>(expected) / seconds;
    const double mean = samples > 0 ? sum / samples : 0;
    r.add("jobs_per_s", "jobs/s", jobs_per_s, true);
    r.add("peak_in_flight", "calls", peak, true);
    r.add("mean_in_flight", "calls", mean);
    r.add("ratio_to_peak_in_flight_over_latency", "x",
          peak > 0 ? jobs_per_s / (peak * 1000.0 / kLatencyMs) : 0, true);
    r.add("ratio_to_10000_over_latency", "x", jobs_per_s / (kMaxInFlight * 1000.0 / kLatencyMs));
    const double commits = bench.sum_worker_metric("bl_worker_group_commits_total");
    if (commits > 0) r.add("results_per_group_commit", "jobs", expected / commits);
    usage.finish(static_cast<double>(expected), r);
  }
  r.note("sampling", "bl_worker_in_flight from the worker's /metrics every 100 ms");
  r.note("clock", "from the worker's start, with every job already queued in Redis");
}

}  // namespace bl::bench
