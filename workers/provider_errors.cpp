#include <algorithm>
#include <charconv>
#include <ctime>

#include "workers/provider.hpp"

namespace bl {
namespace {

// A provider's hint is untrusted input: beyond a day it is taken as a day (and a huge value
// must not overflow on the way; found by fuzzing).
constexpr std::int64_t kMaxRetryAfterMs = 24LL * 3600 * 1000;

std::int64_t parse_retry_after(const HttpCallResult& r) {
  if (r.transport_ok()) {
    if (std::int64_t info = retry_info_delay_ms(r.body); info >= 0) return info;
  }
  if (const std::string* ms = r.header("retry-after-ms")) {
    double v = 0;
    auto [p, ec] = std::from_chars(ms->data(), ms->data() + ms->size(), v);
    if (ec == std::errc() && v >= 0) {
      return v < static_cast<double>(kMaxRetryAfterMs) ? static_cast<std::int64_t>(v)
                                                       : kMaxRetryAfterMs;
    }
  }
  if (const std::string* s = r.header("retry-after")) {
    std::int64_t secs = 0;
    auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), secs);
    if (ec == std::errc() && p == s->data() + s->size() && secs >= 0) {
      return std::min(secs, kMaxRetryAfterMs / 1000) * 1000;
    }
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

std::int64_t retry_info_delay_ms(std::string_view body) {
  if (body.find("RetryInfo") == std::string_view::npos) return -1;
  auto doc = parse_json(body);
  if (!doc.ok()) return -1;
  const JsonValue* error = json_member(*doc, "error");
  const JsonValue* details = error ? json_member(*error, "details") : nullptr;
  if (details == nullptr || !details->IsArray()) return -1;
  for (const auto& d : details->GetArray()) {
    const std::string_view type = json_string(d, "@type").value_or("");
    if (type.size() < 9 || type.substr(type.size() - 9) != "RetryInfo") continue;
    const std::string_view delay = json_string(d, "retryDelay").value_or("");
    if (delay.empty() || delay.back() != 's') return -1;
    double secs = 0;
    auto [p, ec] = std::from_chars(delay.data(), delay.data() + delay.size() - 1, secs);
    if (ec != std::errc() || p != delay.data() + delay.size() - 1 || secs < 0 || secs > 86400) {
      return -1;
    }
    return static_cast<std::int64_t>(secs * 1000);
  }
  return -1;
}

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
  if (s == 429 || s == 402) {
    // OpenAI's insufficient_quota and Anthropic's billing_error will not pass by waiting.
    const bool quota = s == 402 || r.body.find("insufficient_quota") != std::string::npos;
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
  } else if (r.body.find("content_filter") != std::string::npos) {
    o.kind = ProviderOutcome::Kind::kFinal;  // Azure refuses filtered prompts with a 400
    o.error_code = "content_filter";
  } else {
    o.kind = ProviderOutcome::Kind::kFinal;
    o.error_code = "invalid_request";
  }
  return o;
}

}  // namespace bl
