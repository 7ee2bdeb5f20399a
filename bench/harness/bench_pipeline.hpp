#pragma once
// One Batchline installation for one scenario run, built on the tests' Pipeline (its own
// database and Redis prefix on the bench services, the mock and each role as a process of the
// Release binary), with the settings a benchmark needs: per-key rate limits out of the way, quiet
// logs, and the model "bench-model" whose concurrency allows 10,000 calls in flight.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bench/harness/http_load.hpp"
#include "bench/harness/role_usage.hpp"
#include "core/pg.hpp"
#include "tests/support/pipeline.hpp"

namespace bl::bench {

inline constexpr const char* kBenchModel = "bench-model";

struct BenchPipelineOptions {
  int mock_latency_ms = 0;
  int ingests = 1;
  int relays = 1;
  int workers = 1;
  int projectors = 1;
  int worker_max_inflight = 0;  // 0: the configured default
};

class BenchPipeline {
 public:
  explicit BenchPipeline(const BenchPipelineOptions& options);
  BenchPipeline(const BenchPipeline&) = delete;
  BenchPipeline& operator=(const BenchPipeline&) = delete;

  test::Pipeline& pipeline() { return *pipeline_; }
  // Starts one more process of a role; workers get an admin port for /metrics.
  test::Process& start_role(const std::string& role);
  // Admin ports of the workers started so far (their /metrics has bl_worker_in_flight).
  const std::vector<int>& worker_admin_ports() const { return worker_admin_ports_; }
  // A metric summed over every worker (0 for a worker that does not answer).
  double sum_worker_metric(const std::string& name) const;
  // Every role process, the mock, PostgreSQL and Redis.
  RoleUsage usage() const;
  PgConnectionPtr connect() const;

  // POST /v1/jobs with `count` jobs of bench-model numbered from `first`.
  HttpCall jobs_call(int first, int count) const;
  // Submits `jobs` jobs as 100-job requests from 32 concurrent clients.
  HttpLoadResult submit_jobs(int jobs) const;

  // Events of this type in the log.
  std::int64_t count_events(const std::string& event_type) const;
  // Waits until at least `n` events of the type are in the log; false on deadline.
  bool wait_for_events(const std::string& event_type, std::int64_t n,
                       std::chrono::seconds deadline) const;

 private:
  std::unique_ptr<test::Pipeline> pipeline_;
  std::vector<RoleProcess> roles_;
  std::vector<int> worker_admin_ports_;
};

// A metric without labels from the /metrics of an admin port; -1 when unreadable.
double scrape_metric(int admin_port, const std::string& name);

// Percentiles p50 and p99 of submit → result committed (JobSubmitted to JobSucceeded
// recorded_at) over every succeeded job, in ms.
std::pair<double, double> job_latency_ms(pqxx::connection& conn);

// Seconds elapsed since `start`.
double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace bl::bench
