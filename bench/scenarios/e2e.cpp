// e2e: 20,000 jobs, one process of each role, mock at 0 ms and at 50 ms.

#include "bench/scenarios/e2e_run.hpp"
#include "bench/scenarios/scenarios.hpp"

namespace bl::bench {

void run_e2e(const BenchOptions& options, const Limits& limits, Report& report) {
  const int jobs = options.size(20000);
  for (const int latency_ms : {0, 50}) {
    auto& r = report.add(
        "e2e", std::to_string(jobs) + " jobs, mock " + std::to_string(latency_ms) + " ms");
    BenchPipelineOptions o;
    o.mock_latency_ms = latency_ms;
    for (int i = 0; i < options.repeat; ++i)
      run_e2e_once(o, jobs, r);
    r.add("ratio_to_pg_insert_100", "x", r.median_of("jobs_per_s") / limits.pg_insert_rows_per_s);
  }
}

}  // namespace bl::bench
