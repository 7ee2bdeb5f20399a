#include <charconv>
#include <ctime>

#include "workers/provider.hpp"

namespace bl {
namespace {

std::int64_t parse_retry_after(const HttpCallResult& r) {
  if (const std::string* ms = r.header("retry-after-ms")) {
    double v = 0;
    auto [p, ec] = std::from_chars(ms->data(), ms->data() + ms->size(), v);
    if (ec == std::errc() && v >= 0) return static_cast<std::int64_t>(v);
  }
  if (const std::string* s = r.header("retry-after")) {
    std::int64_t secs = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), secs);
    if (ec == std::errc() && p == s->data() + s->size() && secs >= 0) return secs * 1000;
    std::tm tm{};
    if (strptime(s->c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) != nullptr) {
      const std::int64_t at = static_cast<std::int64_t>(timegm(&tm));
      const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
      return at > now ? (at - now) * 1000 : 0;
    }
  }
  return -1;
}

}  // namespace

ProviderOutcome classify_failure(const HttpCallResult& r) {
  ProviderOutcome o;
  o.http_status = static_cast<int>(r.status);
  o.retry_after_ms = parse_retry_after(r);
  if (!r.transport_ok()) {
    o.kind = ProviderOutcome::Kind::kRetryable;
    o.error_code = r.timed_out() ? "timeout" : "connection_error";
    o.error_detail = r.curl_error;
    return o;
  }
  o.error_detail = r.body.substr(0, 2000);
  const long s = r.status;
  if (s == 429) {
    // OpenAI's insufficient_quota will not pass by waiting.
    const bool quota = r.body.find("insufficient_quota") != std::string::npos;
    o.kind = quota ? ProviderOutcome::Kind::kFinal : ProviderOutcome::Kind::kRetryable;
    o.error_code = quota ? "insufficient_quota" : "rate_limited";
  } else if (s == 408 || s == 409 || s == 425) {
    o.kind = ProviderOutcome::Kind::kRetryable;
    o.error_code = "transient_error";
  } else if (s == 529) {
    o.kind = ProviderOutcome::Kind::kRetryable;
    o.error_code = "overloaded";
  } else if (s >= 500) {
    o.kind = ProviderOutcome::Kind::kRetryable;
    o.error_code = "server_error";
  } else if (s == 401 || s == 403) {
    o.kind = ProviderOutcome::Kind::kFinal;
    o.error_code = "authentication_error";
  } else if (s == 404) {
    o.kind = ProviderOutcome::Kind::kFinal;
    o.error_code = "model_not_found";
  } else {
    o.kind = ProviderOutcome::Kind::kFinal;
    o.error_code = "invalid_request";
  }
  return o;
}

std::int64_t cost_nano_usd(const ModelConfig& model, const JobUsage& usage) {
  // floor((in * p_in + out * p_out) / 1e6) without overflowing 64 bits: split each price
  // into whole nano-USD per token and a remainder.
  constexpr std::int64_t kM = 1000000;
  const std::int64_t pi = model.input_nano_usd_per_mtok;
  const std::int64_t po = model.output_nano_usd_per_mtok;
  return usage.input_tokens * (pi / kM) + usage.output_tokens * (po / kM) +
         (usage.input_tokens * (pi % kM) + usage.output_tokens * (po % kM)) / kM;
}

}  // namespace bl
