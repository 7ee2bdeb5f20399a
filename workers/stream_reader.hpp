#pragma once
// Reads one streamed provider answer as its bytes arrive (on the worker's loop thread): splits
// them into server-sent events, hands each to the provider, and notes when output arrived, for
// time to first token and mean inter-token latency. finish() turns the whole into an outcome:
// a stream that ends without the provider's end marker is truncated (retryable).

#include <chrono>
#include <string>
#include <string_view>

#include "workers/provider.hpp"
#include "workers/sse_parser.hpp"

namespace bl {

class StreamReader {
 public:
  using Clock = std::chrono::steady_clock;
  StreamReader(const Provider& provider, Clock::time_point started)
      : provider_(provider), started_(started) {}

  // The body callback of the call; false aborts the transfer (malformed stream).
  bool on_bytes(std::string_view bytes, Clock::time_point now);
  ProviderOutcome finish(const ModelConfig& model, HttpCallResult result);

 private:
  bool apply(std::vector<SseEvent>& events, Clock::time_point now);

  const Provider& provider_;
  Clock::time_point started_;
  SseParser parser_;
  StreamState state_;
  std::string head_;  // the first bytes, kept as the body of an error answer
  bool malformed_ = false;
  int tokens_ = 0;
  Clock::time_point first_token_;
  Clock::time_point last_token_;
};

}  // namespace bl
