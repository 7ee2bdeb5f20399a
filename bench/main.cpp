// bl_bench: the scenarios of scripts/bench. Expects the bench services (BL_TEST_PG_URL,
// BL_TEST_REDIS_URL) and writes the report to --out and a Markdown table to stdout.
//   bl_bench [--quick] [--repeat N] [--out PATH] [SCENARIO...]

#include <cstdio>
#include <ctime>
#include <exception>
#include <fstream>

#include "bench/harness/bench_options.hpp"
#include "bench/harness/report.hpp"
#include "bench/scenarios/scenarios.hpp"
#include "core/log.hpp"

namespace bl::bench {
namespace {

std::string utc_now() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

void run_scenario(const std::string& name, const BenchOptions& o, Limits& limits, Report& report) {
  std::fprintf(stderr, "bench: %s ...\n", name.c_str());
  if (name == "limits") limits = run_limits(o, report);
  if (name == "ingest") run_ingest(o, limits, report);
  if (name == "e2e") run_e2e(o, limits, report);
  if (name == "inflight") run_inflight(o, report);
  if (name == "latency") run_latency(o, report);
  if (name == "projections") run_projections(o, limits, report);
  if (name == "scale") run_scale(o, report);
}

}  // namespace
}  // namespace bl::bench

int main(int argc, char** argv) {
  using namespace bl::bench;
  auto options = parse_bench_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) {
    std::fprintf(stderr,
                 "bl_bench: %s\nusage: bl_bench [--quick] [--repeat N] [--out PATH] "
                 "[limits|ingest|e2e|inflight|latency|projections|scale ...]\n",
                 options.error().message.c_str());
    return 2;
  }
  bl::log::init("bench", bl::log::Level::kWarn);
  Report report;
  report.machine = describe_machine();
  report.started_at = utc_now();
  report.repeat = options->repeat;
  report.quick = options->quick;
  report.settings["pg_fsync"] = env_or("BL_PG_FSYNC", "on");
  report.settings["build"] = env_or("BL_BENCH_BUILD_TYPE", "Release");
  // The machine may be shared: its load says how much of it the run had.
  report.settings["loadavg_at_start"] = load_average();
  Limits limits;
  int code = 0;
  for (const auto& name : options->scenarios) {
    try {
      run_scenario(name, *options, limits, report);
    } catch (const std::exception& e) {
      // One scenario failing leaves the others' figures; the report says which failed.
      report.add(name, "failed").note("error", e.what());
      code = 1;
    }
    report.settings["loadavg_at_end"] = load_average();
    // After every scenario, so an interrupted run keeps what it measured.
    std::ofstream(options->out_path) << report.to_json() << "\n";
  }
  std::fputs(report.to_markdown().c_str(), stdout);
  return code;
}
