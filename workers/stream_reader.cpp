#include "workers/stream_reader.hpp"

namespace bl {
namespace {

constexpr std::size_t kHeadBytes = 16 << 10;

double ms_between(StreamReader::Clock::time_point a, StreamReader::Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

bool StreamReader::on_bytes(std::string_view bytes, Clock::time_point now) {
  if (head_.size() < kHeadBytes) head_.append(bytes.substr(0, kHeadBytes - head_.size()));
  std::vector<SseEvent> events;
  if (!parser_.feed(bytes, &events).ok()) {
    malformed_ = true;
    return false;
  }
  return apply(events, now);
}

bool StreamReader::apply(std::vector<SseEvent>& events, Clock::time_point now) {
  for (const SseEvent& e : events) {
    auto token = provider_.apply_stream_event(e, &state_);
    if (!token.ok()) {
      malformed_ = true;
      return false;
    }
    if (*token) {
      if (tokens_ == 0) first_token_ = now;
      last_token_ = now;
      ++tokens_;
    }
  }
  return true;
}

ProviderOutcome StreamReader::finish(const ModelConfig& model, HttpCallResult r) {
  const bool answered = r.status >= 200 && r.status < 300;
  if (!answered && r.transport_ok()) {
    r.body = std::move(head_);  // an error answer is JSON, not events
    return classify_failure(r);
  }
  ProviderOutcome o;
  o.http_status = static_cast<int>(r.status);
  if (!malformed_ && r.transport_ok()) {
    std::vector<SseEvent> rest;
    if (parser_.finish(&rest).ok()) {
      apply(rest, Clock::now());
    } else {
      malformed_ = true;
    }
  }
  if (malformed_) {
    o.kind = ProviderOutcome::Kind::kRetryable;
    o.error_code = "malformed_response";
    return o;
  }
  if (!state_.error_code.empty()) {
    o.kind =
        state_.error_retryable ? ProviderOutcome::Kind::kRetryable : ProviderOutcome::Kind::kFinal;
    o.error_code = state_.error_code;
    o.error_detail = std::move(state_.error_detail);
    return o;
  }
  if (!r.transport_ok() || !state_.complete) {
    // Cut off mid-stream (a dropped connection, a timeout, a truncated body).
    if (!r.transport_ok() && state_.text.empty()) return classify_failure(r);
    o.kind = ProviderOutcome::Kind::kRetryable;
    o.error_code = r.timed_out() ? "timeout" : "stream_truncated";
    o.error_detail = r.curl_error;
    return o;
  }
  o.kind = ProviderOutcome::Kind::kSuccess;
  o.output_json = assistant_message_json(state_.text);
  o.finish_reason = state_.finish_reason.empty() ? "stop" : state_.finish_reason;
  o.usage = state_.usage;
  o.usage.cost_nano_usd = cost_nano_usd(model, o.usage);
  if (tokens_ > 0) {
    o.ttft_ms = static_cast<std::int64_t>(ms_between(started_, first_token_));
    if (tokens_ > 1) o.mean_itl_ms = ms_between(first_token_, last_token_) / (tokens_ - 1);
  }
  return o;
}

}  // namespace bl
