#pragma once
// What `batchline submit --wait` prints while a batch runs: on a terminal one line redrawn in
// place (bar, done/failed/total, rate, ETA); otherwise plain lines: the first state, each change
// of status, and changed counts at most every five seconds, so logs stay readable. The summary
// line is the same either way.

#include <chrono>
#include <cstdio>
#include <deque>
#include <string>
#include <utility>

namespace bl {

struct BatchProgress {
  std::string status;
  long long total = 0;
  long long succeeded = 0;
  long long failed = 0;  // failed, cancelled and expired requests
  long long pending = 0;
  long long done() const { return total - pending; }
};

class ProgressDisplay {
 public:
  using Clock = std::chrono::steady_clock;
  ProgressDisplay(std::FILE* out, bool terminal);

  void update(const BatchProgress& p, Clock::time_point now);
  // Ends the redrawn line and prints "<batch> <status>: total=N succeeded=N failed=N ...".
  void summary(const std::string& batch_id, const BatchProgress& p, Clock::time_point now);

  // Requests per second over the last few seconds (0 until two samples exist).
  double rate() const;

 private:
  std::FILE* out_;
  bool terminal_;
  Clock::time_point started_;
  std::deque<std::pair<Clock::time_point, long long>> samples_;  // (when, done)
  long long last_printed_done_ = -1;
  Clock::time_point last_printed_;
  std::string last_printed_status_;
  bool line_open_ = false;
};

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace bl
