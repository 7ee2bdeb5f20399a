#pragma once
// Command line of bl_bench (scripts/bench passes its arguments through):
//   bl_bench [--quick] [--repeat N] [--out PATH] [SCENARIO...]

#include <string>
#include <vector>

#include "core/result.hpp"

namespace bl::bench {

// Every scenario, in the order a full run executes them. "limits" runs first: the scenarios'
// ratios are taken against the limits measured in the same run.
const std::vector<std::string>& all_scenarios();

struct BenchOptions {
  std::vector<std::string> scenarios;  // empty on input means all
  int repeat = 3;
  bool repeat_given = false;  // --repeat was on the command line
  bool quick = false;         // one repeat and smaller loads: a smoke run, not figures to quote
  std::string out_path = "bench/results/latest.json";

  bool wants(const std::string& scenario) const;
  // Scales a load size down in quick mode (never below 1).
  int size(int full) const { return quick ? std::max(1, full / 10) : full; }
};

Result<BenchOptions> parse_bench_options(const std::vector<std::string>& args);

}  // namespace bl::bench
