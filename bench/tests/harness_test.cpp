// The bench harness's own logic: statistics, argument parsing and the report. No timing.

#include <gtest/gtest.h>

#include "bench/harness/bench_options.hpp"
#include "bench/harness/report.hpp"
#include "bench/harness/stats.hpp"
#include "core/json.hpp"

namespace bl::bench {
namespace {

TEST(BenchStats, MedianAndPercentilesInterpolateBetweenRanks) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 2, 3}), 2.5);
  EXPECT_DOUBLE_EQ(percentile({10, 20, 30, 40, 50}, 0), 10);
  EXPECT_DOUBLE_EQ(percentile({10, 20, 30, 40, 50}, 100), 50);
  EXPECT_DOUBLE_EQ(percentile({10, 20, 30, 40, 50}, 75), 40);
  EXPECT_DOUBLE_EQ(percentile({}, 50), 0);
}

TEST(BenchStats, SpreadIsRangeOverMedian) {
  const Summary s = summarize({90, 100, 110});
  EXPECT_DOUBLE_EQ(s.median, 100);
  EXPECT_DOUBLE_EQ(s.min, 90);
  EXPECT_DOUBLE_EQ(s.max, 110);
  EXPECT_DOUBLE_EQ(s.spread_pct, 20);
}

TEST(BenchOptions, DefaultsRunEveryScenarioThreeTimes) {
  auto o = parse_bench_options({});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->repeat, 3);
  EXPECT_EQ(o->scenarios, all_scenarios());
  EXPECT_EQ(o->size(50000), 50000);
}

TEST(BenchOptions, QuickRunsOnceOnSmallerLoadsAndAlwaysMeasuresLimitsFirst) {
  auto o = parse_bench_options({"latency", "--quick", "ingest"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->repeat, 1);
  EXPECT_EQ(o->scenarios, (std::vector<std::string>{"limits", "ingest", "latency"}));
  EXPECT_EQ(o->size(50000), 5000);
  auto repeated = parse_bench_options({"--quick", "--repeat", "2", "--out", "x.json"});
  ASSERT_TRUE(repeated.ok());
  EXPECT_EQ(repeated->repeat, 2);
  EXPECT_EQ(repeated->out_path, "x.json");
}

TEST(BenchOptions, RefusesUnknownScenariosAndBadRepeats) {
  EXPECT_FALSE(parse_bench_options({"warp"}).ok());
  EXPECT_FALSE(parse_bench_options({"--repeat", "0"}).ok());
  EXPECT_FALSE(parse_bench_options({"--repeat", "3x"}).ok());
  EXPECT_FALSE(parse_bench_options({"--repeat"}).ok());
  EXPECT_FALSE(parse_bench_options({"--fast"}).ok());
}

TEST(BenchReport, JsonHoldsSummariesAndMarkdownShowsHeadlinesAndRoles) {
  Report report;
  report.repeat = 2;
  auto& r = report.add("e2e", "mock 0 ms");
  r.add("jobs_per_s", "jobs/s", 100, true);
  r.add("jobs_per_s", "jobs/s", 300, true);
  r.add("submit_s", "s", 1);
  r.add(std::string(kCpuPerThousandJobs) + ".work", "CPU-s", 0.5);
  r.add(std::string(kPeakRssMb) + ".work", "MB", 42);
  r.note("fsync", "on");

  auto doc = parse_json(report.to_json());
  ASSERT_TRUE(doc.ok());
  const auto& metric = (*doc)["results"][0]["metrics"][0];
  EXPECT_EQ(as_view(metric["name"]), "jobs_per_s");
  EXPECT_DOUBLE_EQ(metric["median"].GetDouble(), 200);
  EXPECT_DOUBLE_EQ(metric["spread_pct"].GetDouble(), 100);
  EXPECT_EQ(metric["samples"].Size(), 2u);
  EXPECT_EQ(as_view((*doc)["results"][0]["notes"]["fsync"]), "on");

  const std::string md = report.to_markdown();
  EXPECT_NE(md.find("| e2e | mock 0 ms | jobs_per_s | 200.0 | ±50.0% | jobs/s |"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("submit_s"), std::string::npos) << md;
  EXPECT_NE(md.find("| e2e | mock 0 ms | work | 0.5 | 42.0 |"), std::string::npos) << md;
}

}  // namespace
}  // namespace bl::bench
