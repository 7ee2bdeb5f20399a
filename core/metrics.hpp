#pragma once
// Prometheus metrics. Metric objects are created once (under a lock) and then updated with
// atomics from any thread; call sites keep references to hot metrics. Label values must come
// from fixed vocabularies (route templates, codes, model ids), never from user content.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace bl {

class Counter {
 public:
  void inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void add(double d) {
    double cur = v_.load(std::memory_order_relaxed);
    while (!v_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
    }
  }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  std::uint64_t bucket(std::size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.value(); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> count_{0};
  Gauge sum_;
};

// Seconds buckets from 1 ms to 60 s.
std::vector<double> latency_buckets();

class MetricsRegistry {
 public:
  // labels: Prometheus label text without braces, e.g. R"(route="/v1/jobs",status="202")".
  Counter& counter(const std::string& name, const std::string& help,
                   const std::string& labels = "");
  Gauge& gauge(const std::string& name, const std::string& help, const std::string& labels = "");
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::string& labels = "",
                       const std::vector<double>& bounds = latency_buckets());

  // Prometheus text exposition format 0.0.4.
  std::string render() const;

  static MetricsRegistry& global();

 private:
  struct Family {
    std::string type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(const std::string& name, const char* type, const std::string& help);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;  // GUARDED_BY(mutex_)
};

// Escapes a label value (backslash, quote, newline).
std::string metric_label(const std::string& value);

}  // namespace bl
