#include "app/mock_command.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/flags.hpp"
#include "core/log.hpp"
#include "core/stop_signal.hpp"
#include "workers/mock_llm/mock_llm.hpp"

namespace bl {
namespace {

constexpr const char* kMockUsage =
    R"(usage: batchline mock-llm [flags]   (each flag also as BL_MOCK_<NAME>)
  --host H --port N --threads N
  --latency fixed|uniform|lognormal   --latency-ms N (fixed; lognormal median)
  --latency-min-ms N --latency-max-ms N (uniform)   --latency-sigma X (lognormal)
  --token-delay-ms N        delay between streamed events
  --seed N                  latency and fault draws are a function of seed and request
  --fault-429 R --fault-500 R --fault-529 R --fault-timeout R --fault-drop R
  --fault-malformed R --fault-truncate R      rates in [0, 1]
  --retry-after-ms N        the hint a 429 carries (default 1000)
  --require-key K           answer 401 unless the provider's key header carries K
)";

// The flag's value, else BL_MOCK_<NAME> (upper case, '-' -> '_'), else "".
std::string option(const Flags& flags, const std::string& name) {
  if (flags.has(name)) return flags.get(name);
  std::string env = "BL_MOCK_";
  for (char c : name)
    env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const char* v = std::getenv(env.c_str());
  return v == nullptr ? std::string() : std::string(v);
}

bool read_int(const Flags& flags, const std::string& name, std::int64_t min, std::int64_t max,
              std::int64_t* out) {
  const std::string v = option(flags, name);
  if (v.empty()) return true;
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (end == v.c_str() || *end != '\0' || n < min || n > max) {
    std::fprintf(stderr, "batchline: --%s expects an integer in [%lld, %lld]\n", name.c_str(),
                 static_cast<long long>(min), static_cast<long long>(max));
    return false;
  }
  *out = n;
  return true;
}

bool read_double(const Flags& flags, const std::string& name, double min, double max, double* out) {
  const std::string v = option(flags, name);
  if (v.empty()) return true;
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !(x >= min && x <= max)) {
    std::fprintf(stderr, "batchline: --%s expects a number in [%g, %g]\n", name.c_str(), min, max);
    return false;
  }
  *out = x;
  return true;
}

}  // namespace

int run_mock_command(int argc, char** argv) {
  Flags flags = parse_flags(argc, argv, 2, {"help"});
  if (flags.has("help")) {
    std::fputs(kMockUsage, stdout);
    return 0;
  }
  MockLlmOptions o;
  o.port = 8090;
  std::int64_t port = o.port, threads = 1, seed = 1;
  bool ok = read_int(flags, "port", 0, 65535, &port) &&
            read_int(flags, "threads", 1, 64, &threads) &&
            read_int(flags, "latency-ms", 0, 3600000, &o.latency_ms) &&
            read_int(flags, "latency-min-ms", 0, 3600000, &o.latency_min_ms) &&
            read_int(flags, "latency-max-ms", 0, 3600000, &o.latency_max_ms) &&
            read_double(flags, "latency-sigma", 0, 10, &o.latency_sigma) &&
            read_int(flags, "token-delay-ms", 0, 600000, &o.token_delay_ms) &&
            read_int(flags, "seed", 0, INT64_MAX, &seed) &&
            read_double(flags, "fault-429", 0, 1, &o.rate_429) &&
            read_double(flags, "fault-500", 0, 1, &o.rate_500) &&
            read_double(flags, "fault-529", 0, 1, &o.rate_529) &&
            read_double(flags, "fault-timeout", 0, 1, &o.rate_timeout) &&
            read_double(flags, "fault-drop", 0, 1, &o.rate_drop) &&
            read_double(flags, "fault-malformed", 0, 1, &o.rate_malformed) &&
            read_double(flags, "fault-truncate", 0, 1, &o.rate_truncate) &&
            read_int(flags, "retry-after-ms", 0, 3600000, &o.retry_after_ms);
  if (!ok) return 2;
  o.port = static_cast<int>(port);
  o.threads = static_cast<int>(threads);
  o.seed = static_cast<std::uint64_t>(seed);
  if (std::string h = option(flags, "host"); !h.empty()) o.host = h;
  if (std::string l = option(flags, "latency"); !l.empty()) o.latency = l;
  if (o.latency != "fixed" && o.latency != "uniform" && o.latency != "lognormal") {
    std::fprintf(stderr, "batchline: --latency expects fixed, uniform or lognormal\n");
    return 2;
  }
  if (o.latency_max_ms < o.latency_min_ms) o.latency_max_ms = o.latency_min_ms;
  o.require_key = option(flags, "require-key");
  log::Level level = log::Level::kInfo;
  log::parse_level(option(flags, "log-level").empty() ? "info" : option(flags, "log-level"),
                   &level);
  log::init("mock-llm", level);
  StopSignal stop;
  StopSignal::install_handlers(stop);
  return run_mock_llm(o, stop);
}

}  // namespace bl
