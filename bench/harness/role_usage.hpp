#pragma once
// CPU time and peak memory of the processes playing each role, read from /proc: utime+stime of
// /proc/<pid>/stat (PostgreSQL: the postmaster with its reaped children plus every live
// backend) and VmHWM of /proc/<pid>/status.

#include <map>
#include <string>
#include <vector>

namespace bl::bench {

class ScenarioResult;

struct RoleProcess {
  std::string role;  // "ingest", "relay", "work", "project", "mock", "postgres", "redis"
  int pid = 0;
  bool is_postmaster = false;  // count the backends (its children) too
};

// CPU seconds used so far by a process (with its children when postmaster).
double cpu_seconds(const RoleProcess& p);
// Peak resident set (VmHWM) in MB; 0 when unknown.
double peak_rss_mb(int pid);

// PostgreSQL and Redis of this run: from the pid files scripts/bench passes as
// BL_BENCH_PG_PIDFILE and BL_BENCH_REDIS_PIDFILE (absent: not measured).
std::vector<RoleProcess> service_processes();

// CPU used per role between start() and finish(); finish() adds, per role, the CPU-seconds per
// 1,000 jobs and the peak RSS (largest process of the role; not for PostgreSQL, whose shared
// buffers make RSS meaningless) to a result.
class RoleUsage {
 public:
  explicit RoleUsage(std::vector<RoleProcess> processes) : processes_(std::move(processes)) {}
  void start();
  void finish(double jobs, ScenarioResult& result) const;

 private:
  std::vector<RoleProcess> processes_;
  std::vector<double> started_;
};

}  // namespace bl::bench
