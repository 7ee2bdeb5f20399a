// ingest: jobs accepted durably per second, by ingest alone (no relay, worker or projector
// running), as a ratio of the raw COPY rate of the same servers.

#include "bench/harness/bench_pipeline.hpp"
#include "bench/harness/stats.hpp"
#include "bench/scenarios/scenarios.hpp"
#include "tests/support/batch_client.hpp"

namespace bl::bench {
namespace {

BenchPipelineOptions ingest_only() {
  BenchPipelineOptions o;
  o.relays = o.workers = o.projectors = 0;
  return o;
}

void add_ratios(ScenarioResult& r, double jobs_per_s, const Limits& limits) {
  r.add("ratio_to_pg_copy", "x", jobs_per_s / limits.pg_copy_rows_per_s, true);
  r.add("ratio_to_pg_insert_100", "x", jobs_per_s / limits.pg_insert_rows_per_s);
}

void files_and_batches(const BenchOptions& options, const Limits& limits, Report& report) {
  const int lines = options.size(50000);
  auto& r = report.add("ingest", "Files + Batches, " + std::to_string(lines) + " lines");
  BenchPipeline bench(ingest_only());
  const std::string content = test::batch_lines(lines, kBenchModel);
  r.note("file_bytes", std::to_string(content.size()));
  for (int i = 0; i < options.repeat; ++i) {
    RoleUsage usage = bench.usage();
    usage.start();
    const auto start = std::chrono::steady_clock::now();
    test::HttpResult upload;
    const std::string file_id = test::upload_batch_file(bench.pipeline(), content, false, &upload);
    const double upload_s = seconds_since(start);
    const test::HttpResult created = test::create_batch(bench.pipeline(), file_id);
    const double total_s = seconds_since(start);
    if (file_id.empty() || created.status != 200) {
      r.note("error", "upload " + std::to_string(upload.status) + ", create " +
                          std::to_string(created.status));
      return;
    }
    const double jobs_per_s = lines / total_s;
    r.add("jobs_per_s", "jobs/s", jobs_per_s, true);
    r.add("upload_s", "s", upload_s);
    r.add("create_s", "s", total_s - upload_s);
    add_ratios(r, jobs_per_s, limits);
    usage.finish(lines, r);
  }
}

void native_jobs(const BenchOptions& options, const Limits& limits, Report& report) {
  const int jobs = options.size(50000);
  auto& r = report.add("ingest", "/v1/jobs, 100 jobs/request, 32 clients");
  BenchPipeline bench(ingest_only());
  for (int i = 0; i < options.repeat; ++i) {
    RoleUsage usage = bench.usage();
    usage.start();
    const HttpLoadResult load = bench.submit_jobs(jobs);
    if (load.failed > 0) {
      r.note("failed_requests", std::to_string(load.failed) + " (first status " +
                                    std::to_string(load.first_failure_status) + ")");
    }
    const double jobs_per_s = static_cast<double>(load.ok) * 100 / load.seconds;
    r.add("jobs_per_s", "jobs/s", jobs_per_s, true);
    r.add("request_p50_ms", "ms", percentile(load.latencies_ms, 50), true);
    r.add("request_p99_ms", "ms", percentile(load.latencies_ms, 99), true);
    add_ratios(r, jobs_per_s, limits);
    usage.finish(static_cast<double>(load.ok) * 100, r);
  }
}

}  // namespace

void run_ingest(const BenchOptions& options, const Limits& limits, Report& report) {
  files_and_batches(options, limits, report);
  native_jobs(options, limits, report);
}

}  // namespace bl::bench
