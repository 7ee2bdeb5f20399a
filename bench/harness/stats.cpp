#include "bench/harness/stats.hpp"

#include <algorithm>
#include <cmath>

namespace bl::bench {

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(samples.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(rank));
  const auto upper = static_cast<std::size_t>(std::ceil(rank));
  const double fraction = rank - static_cast<double>(lower);
  return samples[lower] + (samples[upper] - samples[lower]) * fraction;
}

double median(const std::vector<double>& samples) {
  return percentile(samples, 50);
}

Summary summarize(const std::vector<double>& samples) {
  Summary s;
  if (samples.empty()) return s;
  const auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
  s.min = *lo;
  s.max = *hi;
  s.median = median(samples);
  s.spread_pct = s.median != 0 ? (s.max - s.min) / std::fabs(s.median) * 100.0 : 0;
  return s;
}

}  // namespace bl::bench
