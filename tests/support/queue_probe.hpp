#pragma once
// Looks at what a test installation's Redis holds (queue streams, markers) and at what a
// role's /metrics reports, so that tests can check deliveries without trusting the code under
// test to count them.

#include <functional>
#include <string>
#include <vector>

#include "tests/support/test_env.hpp"

namespace bl::test {

struct StreamEntry {
  std::string id;  // "<ms>-<seq>"
  std::string job;
  int attempt = 0;
  int priority = 0;
  int band = 0;
  std::int64_t ms() const;  // Redis time of the XADD
};

class QueueProbe {
 public:
  QueueProbe(const TestRedis& redis, std::string model);
  // Entries still in the streams of every band.
  std::vector<StreamEntry> entries() const;
  // Entries in the streams of every band now (XLEN).
  long long length() const;
  // Entries ever added to the streams of every band (XINFO STREAM entries-added): a
  // duplicate push that reached a stream counts here even after a worker deleted it.
  long long entries_added() const;

 private:
  long long sum_over_bands(
      const std::function<long long(RedisClient&, const std::string&)>& of_stream) const;

  const TestRedis& redis_;
  std::string model_;
};

// A port for a role's /healthz and /metrics, and the environment that turns it on.
struct AdminPort {
  int port = free_port();
  RoleEnv env() const;
  std::string metrics() const;  // the text of GET /metrics, empty when unreachable
  bool healthy() const;
};

// Sum of the samples of metric `name` whose label text contains `labels` (all when empty).
double metric_value(const std::string& metrics_text, const std::string& name,
                    const std::string& labels = "");

// Number of events of `type` in the log of `db`.
long long count_events(const TestDatabase& db, const std::string& type);

}  // namespace bl::test
