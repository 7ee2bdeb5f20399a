#include "bench/scenarios/e2e_run.hpp"

namespace bl::bench {

void run_e2e_once(const BenchPipelineOptions& pipeline, int jobs, ScenarioResult& result) {
  BenchPipeline bench(pipeline);
  RoleUsage usage = bench.usage();
  usage.start();
  const auto start = std::chrono::steady_clock::now();
  const HttpLoadResult load = bench.submit_jobs(jobs);
  const double submit_s = seconds_since(start);
  if (load.failed > 0) result.note("failed_requests", std::to_string(load.failed));
  const auto expected = static_cast<std::int64_t>(load.ok) * 100;
  if (!bench.wait_for_events("JobSucceeded", expected, std::chrono::seconds(900))) {
    result.note("error", "timed out waiting for results");
    return;
  }
  const double total_s = seconds_since(start);
  result.add("jobs_per_s", "jobs/s", static_cast<double>(expected) / total_s, true);
  result.add("total_s", "s", total_s);
  result.add("submit_s", "s", submit_s);
  auto conn = bench.connect();
  const auto [p50, p99] = job_latency_ms(*conn);
  result.add("job_latency_p50_ms", "ms", p50, true);
  result.add("job_latency_p99_ms", "ms", p99, true);
  // Results per worker transaction: with fsync on, the group commit is what a worker's
  // throughput rides on.
  const double commits = bench.sum_worker_metric("bl_worker_group_commits_total");
  if (commits > 0) result.add("results_per_group_commit", "jobs", expected / commits);
  usage.finish(static_cast<double>(expected), result);
}

}  // namespace bl::bench
