#pragma once
// The scenarios of scripts/bench (bench/README.md describes each). Every scenario runs its
// measurement options.repeat times and adds one sample per repeat to its results.

#include "bench/harness/bench_options.hpp"
#include "bench/harness/report.hpp"

namespace bl::bench {

// The machine's limits, measured on the bench services; scenarios state ratios against them.
struct Limits {
  double pg_copy_rows_per_s = 0;
  double pg_insert_rows_per_s = 0;  // 100-row INSERT, one commit each
  double redis_xadd_per_s = 0;
  double mock_requests_per_s = 0;
};

Limits run_limits(const BenchOptions& options, Report& report);
void run_ingest(const BenchOptions& options, const Limits& limits, Report& report);
void run_e2e(const BenchOptions& options, const Limits& limits, Report& report);
void run_inflight(const BenchOptions& options, Report& report);
void run_latency(const BenchOptions& options, Report& report);
void run_projections(const BenchOptions& options, const Limits& limits, Report& report);
void run_scale(const BenchOptions& options, Report& report);

}  // namespace bl::bench
