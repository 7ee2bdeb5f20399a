#pragma once
// Order statistics of benchmark samples: the median and spread of repeated runs, and latency
// percentiles. Pure functions, unit-tested (bench/tests/harness_test.cpp).

#include <vector>

namespace bl::bench {

// The p-th percentile (0..100) by linear interpolation between closest ranks; 0 when empty.
double percentile(std::vector<double> samples, double p);
double median(const std::vector<double>& samples);

struct Summary {
  double median = 0;
  double min = 0;
  double max = 0;
  // (max - min) / median in percent: how far repeated runs of this figure disagree.
  double spread_pct = 0;
};
Summary summarize(const std::vector<double>& samples);

}  // namespace bl::bench
