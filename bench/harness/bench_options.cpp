#include "bench/harness/bench_options.hpp"

#include <algorithm>
#include <charconv>

namespace bl::bench {

const std::vector<std::string>& all_scenarios() {
  static const std::vector<std::string> names = {"limits",  "ingest",      "e2e",  "inflight",
                                                 "latency", "projections", "scale"};
  return names;
}

bool BenchOptions::wants(const std::string& scenario) const {
  return std::find(scenarios.begin(), scenarios.end(), scenario) != scenarios.end();
}

Result<BenchOptions> parse_bench_options(const std::vector<std::string>& args) {
  BenchOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--quick") {
      o.quick = true;
    } else if (a == "--repeat" || a == "--out") {
      if (i + 1 >= args.size()) return Error::invalid(a + " needs a value");
      const std::string& v = args[++i];
      if (a == "--out") {
        o.out_path = v;
        continue;
      }
      int n = 0;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n < 1 || n > 100) {
        return Error::invalid("--repeat must be a whole number from 1 to 100");
      }
      o.repeat = n;
      o.repeat_given = true;
    } else if (!a.empty() && a[0] == '-') {
      return Error::invalid("unknown flag " + a);
    } else if (std::find(all_scenarios().begin(), all_scenarios().end(), a) ==
               all_scenarios().end()) {
      return Error::invalid("unknown scenario " + a);
    } else if (!o.wants(a)) {
      o.scenarios.push_back(a);
    }
  }
  if (o.quick && !o.repeat_given) o.repeat = 1;
  if (o.scenarios.empty()) o.scenarios = all_scenarios();
  // Ratios need the limits of this run.
  if (!o.wants("limits")) o.scenarios.insert(o.scenarios.begin(), "limits");
  std::stable_sort(o.scenarios.begin(), o.scenarios.end(), [](const auto& x, const auto& y) {
    const auto& all = all_scenarios();
    return std::find(all.begin(), all.end(), x) < std::find(all.begin(), all.end(), y);
  });
  return o;
}

}  // namespace bl::bench
