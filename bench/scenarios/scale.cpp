// scale: 2 ingest + 2 relays + 2 workers against 1 of each, same load (e2e, mock at 0 ms).

#include "bench/scenarios/e2e_run.hpp"
#include "bench/scenarios/scenarios.hpp"

namespace bl::bench {

void run_scale(const BenchOptions& options, Report& report) {
  const int jobs = options.size(20000);
  for (const int n : {1, 2}) {
    auto& r =
        report.add("scale", std::to_string(n) + " ingest + " + std::to_string(n) + " relay + " +
                                std::to_string(n) + " work, " + std::to_string(jobs) + " jobs");
    BenchPipelineOptions o;
    o.ingests = o.relays = o.workers = n;
    for (int i = 0; i < options.repeat; ++i)
      run_e2e_once(o, jobs, r);
  }
}

}  // namespace bl::bench
