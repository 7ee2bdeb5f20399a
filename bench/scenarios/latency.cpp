// latency: an idle pipeline, one job at a time: POST /v1/jobs → GET /v1/jobs/{id}?wait=10
// answers a result (the long poll wakes on the result's commit).

#include "bench/harness/bench_pipeline.hpp"
#include "bench/harness/stats.hpp"
#include "bench/scenarios/scenarios.hpp"
#include "core/json.hpp"
#include "tests/support/job_requests.hpp"

namespace bl::bench {
namespace {

// Milliseconds from submit to a visible result; -1 on failure.
double one_job_ms(BenchPipeline& bench, int n) {
  const auto start = std::chrono::steady_clock::now();
  const HttpCall call = bench.jobs_call(n, 1);
  const auto submitted = test::http("POST", call.url, call.body, call.headers);
  const auto ids = test::job_ids(submitted.body);
  if (submitted.status != 202 || ids.size() != 1) return -1;
  for (int polls = 0; polls < 10; ++polls) {
    const auto job = bench.pipeline().get("/v1/jobs/" + ids[0] + "?wait=10");
    auto doc = parse_json(job.body);
    if (job.status != 200 || !doc.ok()) return -1;
    const auto status = json_string(*doc, "status");
    if (status == "succeeded") return seconds_since(start) * 1000;
    if (status == "failed" || status == "cancelled") return -1;
  }
  return -1;
}

}  // namespace

void run_latency(const BenchOptions& options, Report& report) {
  const int jobs = options.size(200);
  auto& r = report.add("latency", std::to_string(jobs) + " jobs one at a time, mock 0 ms");
  BenchPipeline bench(BenchPipelineOptions{});
  for (int i = 0; i < options.repeat; ++i) {
    RoleUsage usage = bench.usage();
    usage.start();
    std::vector<double> ms;
    for (int n = 0; n < jobs; ++n) {
      const double v = one_job_ms(bench, i * jobs + n);
      if (v < 0) {
        r.note("error", "a job did not succeed");
        return;
      }
      ms.push_back(v);
    }
    r.add("submit_to_result_p50_ms", "ms", percentile(ms, 50), true);
    r.add("submit_to_result_p99_ms", "ms", percentile(ms, 99), true);
    r.add("submit_to_result_max_ms", "ms", percentile(ms, 100));
    usage.finish(jobs, r);
  }
}

}  // namespace bl::bench
