#pragma once
// What a bench run found: per scenario (and variant, e.g. "mock 50 ms"), named figures with one
// sample per repeat. Written as JSON (bench/results/latest.json) and as Markdown tables.

#include <deque>
#include <map>
#include <string>
#include <vector>

namespace bl::bench {

struct Metric {
  std::string name;
  std::string unit;
  bool headline = false;  // shown in the main table; every metric is in the JSON
  std::vector<double> samples;
};

// Per-role figures are metrics named "<kind>.<role>" with these kinds.
inline constexpr const char* kCpuPerThousandJobs = "cpu_s_per_1k_jobs";
inline constexpr const char* kPeakRssMb = "peak_rss_mb";

class ScenarioResult {
 public:
  ScenarioResult(std::string scenario, std::string variant)
      : scenario_(std::move(scenario)), variant_(std::move(variant)) {}
  // Adds one sample of a metric (created on first use, in that order).
  void add(const std::string& name, const std::string& unit, double value, bool headline = false);
  void note(const std::string& key, const std::string& value) { notes_[key] = value; }

  const std::string& scenario() const { return scenario_; }
  const std::string& variant() const { return variant_; }
  const std::vector<Metric>& metrics() const { return metrics_; }
  const std::map<std::string, std::string>& notes() const { return notes_; }
  // Median of a metric; 0 when absent.
  double median_of(const std::string& name) const;

 private:
  std::string scenario_;
  std::string variant_;
  std::vector<Metric> metrics_;
  std::map<std::string, std::string> notes_;
};

struct MachineInfo {
  int cores = 0;
  std::string cpu_model;
  double ram_gb = 0;
  std::string kernel;
};
MachineInfo describe_machine();

struct Report {
  MachineInfo machine;
  std::string started_at;  // UTC, ISO 8601
  int repeat = 0;
  bool quick = false;
  std::map<std::string, std::string> settings;  // fsync, build type, ...
  std::deque<ScenarioResult> results;  // a deque: add() hands out references that must stay valid

  ScenarioResult& add(std::string scenario, std::string variant);
  std::string to_json() const;
  std::string to_markdown() const;
};

}  // namespace bl::bench
