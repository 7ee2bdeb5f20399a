#include "app/progress_display.hpp"

namespace bl {
namespace {

constexpr auto kRateWindow = std::chrono::seconds(10);
constexpr int kBarWidth = 30;
// Plain lines (logs, CI): the first state, each change of status, and the counts at most this
// often, so an hour-long batch writes hundreds of lines, not thousands.
constexpr auto kPlainLineInterval = std::chrono::seconds(5);

double seconds_between(ProgressDisplay::Clock::time_point a, ProgressDisplay::Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

std::string format_duration(double seconds) {
  const long long s = seconds < 0 ? 0 : static_cast<long long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", s / 3600, s % 3600 / 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%llds", s);
  }
  return buf;
}

ProgressDisplay::ProgressDisplay(std::FILE* out, bool terminal)
    : out_(out), terminal_(terminal), started_(Clock::now()) {}

double ProgressDisplay::rate() const {
  if (samples_.size() < 2) return 0;
  const double span = seconds_between(samples_.front().first, samples_.back().first);
  if (span <= 0) return 0;
  return static_cast<double>(samples_.back().second - samples_.front().second) / span;
}

void ProgressDisplay::update(const BatchProgress& p, Clock::time_point now) {
  samples_.emplace_back(now, p.done());
  while (samples_.size() > 2 && now - samples_.front().first > kRateWindow)
    samples_.pop_front();
  const double r = rate();
  const std::string eta = r > 0 ? format_duration(static_cast<double>(p.pending) / r) : "?";
  if (terminal_) {
    const int filled = p.total > 0 ? static_cast<int>(kBarWidth * p.done() / p.total) : 0;
    const std::string bar = std::string(filled, '#') + std::string(kBarWidth - filled, '.');
    std::fprintf(out_, "\r[%s] %lld/%lld done, %lld failed  %.0f/s  ETA %s  %s\x1b[K", bar.c_str(),
                 p.done(), p.total, p.failed, r, eta.c_str(), p.status.c_str());
    line_open_ = true;
  } else if (last_printed_done_ < 0 || p.status != last_printed_status_ ||
             (p.done() != last_printed_done_ && now - last_printed_ >= kPlainLineInterval)) {
    std::fprintf(out_, "progress: status=%s done=%lld failed=%lld total=%lld rate=%.0f/s eta=%s\n",
                 p.status.c_str(), p.done(), p.failed, p.total, r, eta.c_str());
    last_printed_done_ = p.done();
    last_printed_status_ = p.status;
    last_printed_ = now;
  }
  std::fflush(out_);
}

void ProgressDisplay::summary(const std::string& batch_id, const BatchProgress& p,
                              Clock::time_point now) {
  if (line_open_) std::fputc('\n', out_);
  line_open_ = false;
  const double elapsed = seconds_between(started_, now);
  std::fprintf(out_, "%s %s: total=%lld succeeded=%lld failed=%lld in %s (%.0f/s)\n",
               batch_id.c_str(), p.status.c_str(), p.total, p.succeeded, p.failed,
               format_duration(elapsed).c_str(),
               elapsed > 0 ? static_cast<double>(p.done()) / elapsed : 0.0);
  std::fflush(out_);
}

}  // namespace bl
