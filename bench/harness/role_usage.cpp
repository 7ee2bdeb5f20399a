#include "bench/harness/role_usage.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench/harness/report.hpp"

namespace bl::bench {
namespace {

struct ProcStat {
  int ppid = 0;
  double own_seconds = 0;       // utime + stime
  double children_seconds = 0;  // cutime + cstime (reaped children)
  bool ok = false;
};

ProcStat read_stat(int pid) {
  ProcStat s;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces; fields after its closing ')' are plain.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream fields(text.substr(close + 2));
  std::vector<std::string> f;
  for (std::string x; fields >> x;)
    f.push_back(x);
  // f[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  if (f.size() < 15) return s;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  s.ppid = std::atoi(f[1].c_str());
  s.own_seconds = (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / tick;
  s.children_seconds = (std::atof(f[13].c_str()) + std::atof(f[14].c_str())) / tick;
  s.ok = true;
  return s;
}

int read_pid_file(const char* env_name) {
  const char* path = std::getenv(env_name);
  if (path == nullptr) return 0;
  std::ifstream in(path);
  int pid = 0;
  in >> pid;
  return pid;
}

}  // namespace

double cpu_seconds(const RoleProcess& p) {
  const ProcStat own = read_stat(p.pid);
  if (!p.is_postmaster) return own.own_seconds;
  double total = own.own_seconds + own.children_seconds;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return total;
  while (dirent* e = readdir(proc)) {
    const int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    const ProcStat child = read_stat(pid);
    if (child.ok && child.ppid == p.pid) total += child.own_seconds;
  }
  closedir(proc);
  return total;
}

double peak_rss_mb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;  // kB
  }
  return 0;
}

std::vector<RoleProcess> service_processes() {
  std::vector<RoleProcess> out;
  if (int pid = read_pid_file("BL_BENCH_PG_PIDFILE"); pid > 0)
    out.push_back({"postgres", pid, true});
  if (int pid = read_pid_file("BL_BENCH_REDIS_PIDFILE"); pid > 0) out.push_back({"redis", pid});
  return out;
}

void RoleUsage::start() {
  started_.clear();
  for (const auto& p : processes_)
    started_.push_back(cpu_seconds(p));
}

void RoleUsage::finish(double jobs, ScenarioResult& result) const {
  std::map<std::string, double> cpu;
  std::map<std::string, double> rss;
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    const auto& p = processes_[i];
    cpu[p.role] += cpu_seconds(p) - started_[i];
    if (!p.is_postmaster) rss[p.role] = std::max(rss[p.role], peak_rss_mb(p.pid));
  }
  for (const auto& [role, seconds] : cpu) {
    result.add(std::string(kCpuPerThousandJobs) + "." + role, "CPU-s",
               jobs > 0 ? seconds / jobs * 1000.0 : 0);
  }
  for (const auto& [role, mb] : rss)
    result.add(std::string(kPeakRssMb) + "." + role, "MB", mb);
}

}  // namespace bl::bench
