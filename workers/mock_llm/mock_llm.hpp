#pragma once
// `batchline mock-llm`: a fake LLM provider for development, tests and benchmarks. It speaks
// the real wire formats, answers deterministically from the input ("Echo: " + the last user
// message), and waits a configurable latency on a timer (never a sleeping thread).

#include <cstdint>
#include <memory>
#include <string>

#include "core/http_server.hpp"
#include "core/json.hpp"
#include "core/stop_signal.hpp"

namespace bl {

struct MockLlmOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 1;
  std::int64_t latency_ms = 0;
};

class MockLlm {
 public:
  explicit MockLlm(MockLlmOptions options);
  ~MockLlm();
  Status start();
  void stop();
  int port() const;

 private:
  MockLlmOptions options_;
  std::unique_ptr<HttpServer> server_;
};

// The deterministic completion text for a chat request body (exposed for tests).
std::string mock_completion_text(const JsonValue& request);

// Runs the mock until stop is requested; returns an exit code.
int run_mock_llm(MockLlmOptions options, StopSignal& stop);

}  // namespace bl
