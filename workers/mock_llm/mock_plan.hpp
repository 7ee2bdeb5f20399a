#pragma once
// How the mock treats one request: its latency and its fault, if any. A pure function of the
// options, the request's bytes and how many times the same bytes arrived before, so a run is
// reproducible from its seed, and a retry of a failed request (same bytes, next occurrence)
// draws again. A user message containing "[mock:fault=KIND]" forces a fault for every
// occurrence, "[mock:fault=KINDxN]" for the first N (tests of each error class).

#include <cstdint>
#include <string>
#include <string_view>

namespace bl {

struct MockLlmOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 1;
  // Latency before the answer (streams: before the first event).
  std::string latency = "fixed";    // fixed | uniform | lognormal
  std::int64_t latency_ms = 0;      // fixed; the median of lognormal
  std::int64_t latency_min_ms = 0;  // uniform
  std::int64_t latency_max_ms = 0;  // uniform
  double latency_sigma = 0.5;       // lognormal
  std::int64_t token_delay_ms = 0;  // between streamed events
  std::uint64_t seed = 1;
  // Fault rates, each in [0, 1], drawn in this order.
  double rate_429 = 0;
  double rate_500 = 0;
  double rate_529 = 0;
  double rate_timeout = 0;             // never answers
  double rate_drop = 0;                // closes the connection without an answer
  double rate_malformed = 0;           // 200 with a broken body or event
  double rate_truncate = 0;            // the body or stream stops halfway
  std::int64_t retry_after_ms = 1000;  // the hint a 429 carries
  std::string require_key;             // when set, the provider's key header must carry it
};

struct MockPlan {
  std::string fault;  // "" (none), 429, quota, 500, 529, timeout, drop, malformed, truncate,
                      // 400, 401
  std::int64_t latency_ms = 0;
};

// FNV-1a of the request's bytes.
std::uint64_t mock_request_hash(std::string_view body);

// occurrence: 0 for the first time these bytes arrived, 1 for the second, ...
MockPlan mock_plan(const MockLlmOptions& options, std::uint64_t request_hash,
                   std::uint32_t occurrence, std::string_view last_user_text);

}  // namespace bl
