#include "bench/harness/report.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>

#include "bench/harness/stats.hpp"
#include "core/json.hpp"

namespace bl::bench {
namespace {

std::string format_number(double v) {
  char buf[64];
  const double a = v < 0 ? -v : v;
  if (a >= 1000) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else if (a >= 10) {
    std::snprintf(buf, sizeof(buf), "%.1f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.3g", v);
  }
  return buf;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

void ScenarioResult::add(const std::string& name, const std::string& unit, double value,
                         bool headline) {
  for (auto& m : metrics_) {
    if (m.name == name) {
      m.samples.push_back(value);
      return;
    }
  }
  metrics_.push_back(Metric{name, unit, headline, {value}});
}

double ScenarioResult::median_of(const std::string& name) const {
  for (const auto& m : metrics_)
    if (m.name == name) return median(m.samples);
  return 0;
}

MachineInfo describe_machine() {
  MachineInfo m;
  m.cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (starts_with(line, "model name")) {
      const auto colon = line.find(':');
      if (colon != std::string::npos && colon + 2 <= line.size())
        m.cpu_model = line.substr(colon + 2);
      break;
    }
  }
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  m.ram_gb = static_cast<double>(pages) * static_cast<double>(page_size) / (1024.0 * 1024 * 1024);
  utsname u{};
  if (uname(&u) == 0) m.kernel = std::string(u.sysname) + " " + u.release;
  return m;
}

ScenarioResult& Report::add(std::string scenario, std::string variant) {
  results.emplace_back(std::move(scenario), std::move(variant));
  return results.back();
}

std::string Report::to_json() const {
  JsonWriter w;
  w.begin_object();
  w.key("machine").begin_object();
  w.field("cores", machine.cores).field("cpu_model", machine.cpu_model);
  w.field("ram_gb", machine.ram_gb).field("kernel", machine.kernel).end_object();
  w.field("started_at", started_at).field("repeat", repeat).field("quick", quick);
  w.key("settings").begin_object();
  for (const auto& [k, v] : settings)
    w.field(k, v);
  w.end_object();
  w.key("results").begin_array();
  for (const auto& r : results) {
    w.begin_object().field("scenario", r.scenario()).field("variant", r.variant());
    w.key("notes").begin_object();
    for (const auto& [k, v] : r.notes())
      w.field(k, v);
    w.end_object();
    w.key("metrics").begin_array();
    for (const auto& m : r.metrics()) {
      const Summary s = summarize(m.samples);
      w.begin_object().field("name", m.name).field("unit", m.unit).field("headline", m.headline);
      w.field("median", s.median).field("min", s.min).field("max", s.max);
      w.field("spread_pct", s.spread_pct);
      w.key("samples").begin_array();
      for (double v : m.samples)
        w.value(v);
      w.end_array().end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().end_object();
  return w.str();
}

std::string Report::to_markdown() const {
  std::string out;
  out += "Machine: " + std::to_string(machine.cores) + " cores, " + machine.cpu_model + ", " +
         format_number(machine.ram_gb) + " GB RAM, " + machine.kernel + "; " +
         std::to_string(repeat) + " repeat(s)" + (quick ? ", QUICK (not for quoting)" : "") +
         "\n\n";
  out += "| scenario | variant | figure | median | spread | unit |\n";
  out += "|---|---|---|---:|---:|---|\n";
  for (const auto& r : results) {
    for (const auto& m : r.metrics()) {
      if (!m.headline) continue;
      const Summary s = summarize(m.samples);
      out += "| " + r.scenario() + " | " + r.variant() + " | " + m.name + " | " +
             format_number(s.median) + " | ±" + format_number(s.spread_pct / 2) + "% | " + m.unit +
             " |\n";
    }
  }
  // Cost per role: one row per scenario variant and role.
  out += "\n| scenario | variant | role | CPU-s per 1,000 jobs | peak RSS MB |\n";
  out += "|---|---|---|---:|---:|\n";
  for (const auto& r : results) {
    std::set<std::string> roles;
    for (const auto& m : r.metrics()) {
      for (const std::string kind : {kCpuPerThousandJobs, kPeakRssMb}) {
        if (starts_with(m.name, kind + ".")) roles.insert(m.name.substr(kind.size() + 1));
      }
    }
    for (const auto& role : roles) {
      const std::string cpu = std::string(kCpuPerThousandJobs) + "." + role;
      const std::string rss = std::string(kPeakRssMb) + "." + role;
      const bool has_rss = std::any_of(r.metrics().begin(), r.metrics().end(),
                                       [&](const Metric& m) { return m.name == rss; });
      out += "| " + r.scenario() + " | " + r.variant() + " | " + role + " | " +
             format_number(r.median_of(cpu)) + " | " +
             (has_rss ? format_number(r.median_of(rss)) : "-") + " |\n";
    }
  }
  return out;
}

}  // namespace bl::bench
