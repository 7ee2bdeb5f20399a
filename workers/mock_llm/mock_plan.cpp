#include "workers/mock_llm/mock_plan.hpp"

#include <charconv>
#include <cmath>

namespace bl {
namespace {

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Uniform in [0, 1) from a 64-bit value.
double unit(std::uint64_t x) {
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

// "[mock:fault=KIND]" or "[mock:fault=KINDxN]" in the text: the kind, when it applies to this
// occurrence.
std::string forced_fault(std::string_view text, std::uint32_t occurrence) {
  constexpr std::string_view kTag = "[mock:fault=";
  const std::size_t at = text.find(kTag);
  if (at == std::string_view::npos) return {};
  const std::size_t end = text.find(']', at);
  if (end == std::string_view::npos) return {};
  std::string_view spec = text.substr(at + kTag.size(), end - at - kTag.size());
  if (const std::size_t x = spec.rfind('x'); x != std::string_view::npos && x > 0) {
    std::uint32_t times = 0;
    auto [p, ec] = std::from_chars(spec.data() + x + 1, spec.data() + spec.size(), times);
    if (ec == std::errc() && p == spec.data() + spec.size()) {
      if (occurrence >= times) return {};
      spec = spec.substr(0, x);
    }
  }
  return std::string(spec);
}

}  // namespace

std::uint64_t mock_request_hash(std::string_view body) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

MockPlan mock_plan(const MockLlmOptions& o, std::uint64_t request_hash, std::uint32_t occurrence,
                   std::string_view last_user_text) {
  MockPlan plan;
  const std::uint64_t base = splitmix(request_hash ^ splitmix(o.seed) ^ (occurrence * 0x51ULL));
  const double u_latency = unit(splitmix(base ^ 1));
  const double u_latency2 = unit(splitmix(base ^ 2));
  const double u_fault = unit(splitmix(base ^ 3));
  if (o.latency == "uniform") {
    const std::int64_t span = std::max<std::int64_t>(0, o.latency_max_ms - o.latency_min_ms);
    plan.latency_ms = o.latency_min_ms + static_cast<std::int64_t>(u_latency * (span + 1));
  } else if (o.latency == "lognormal") {
    // Box-Muller: a standard normal from two uniforms.
    const double z = std::sqrt(-2.0 * std::log(1.0 - u_latency)) * std::cos(2 * M_PI * u_latency2);
    const double ms = static_cast<double>(o.latency_ms) * std::exp(o.latency_sigma * z);
    plan.latency_ms = static_cast<std::int64_t>(std::min(ms, 3.6e6));
  } else {
    plan.latency_ms = o.latency_ms;
  }
  plan.fault = forced_fault(last_user_text, occurrence);
  if (!plan.fault.empty()) return plan;
  const std::pair<double, const char*> rates[] = {
      {o.rate_429, "429"},          {o.rate_500, "500"},   {o.rate_529, "529"},
      {o.rate_timeout, "timeout"},  {o.rate_drop, "drop"}, {o.rate_malformed, "malformed"},
      {o.rate_truncate, "truncate"}};
  double acc = 0;
  for (const auto& [rate, kind] : rates) {
    acc += rate;
    if (u_fault < acc) {
      plan.fault = kind;
      break;
    }
  }
  return plan;
}

}  // namespace bl
