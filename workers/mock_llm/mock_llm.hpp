#pragma once
// `batchline mock-llm`: a fake LLM provider for development, tests and benchmarks. It speaks
// the four providers' wire formats (OpenAI, Azure OpenAI, Anthropic Messages, Gemini), streaming
// and not, answers deterministically from the input (mock_reply.hpp), waits a latency drawn
// from a distribution, and injects faults by rate (mock_plan.hpp). Held requests wait on timers,
// never on threads. GET /mock/stats reports the requests it received per model, with their
// arrival times, for tests that check what reached the provider.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/stop_signal.hpp"
#include "workers/mock_llm/mock_formats.hpp"
#include "workers/mock_llm/mock_http.hpp"
#include "workers/mock_llm/mock_plan.hpp"

namespace bl {

class MockLlm {
 public:
  explicit MockLlm(MockLlmOptions options);
  ~MockLlm();
  MockLlm(const MockLlm&) = delete;
  MockLlm& operator=(const MockLlm&) = delete;

  Status start();
  void stop();
  int port() const;

 private:
  void handle(HttpRequest& req, std::shared_ptr<MockExchange> ex);
  void serve(MockFormat format, std::string_view model_in_path, bool stream_in_path,
             HttpRequest& req, std::shared_ptr<MockExchange> ex);
  bool authorized(MockFormat format, const HttpRequest& req) const;
  std::uint32_t note_request(std::uint64_t hash, const std::string& model);
  std::string stats_json();

  MockLlmOptions options_;
  std::unique_ptr<MockHttpServer> server_;
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::uint32_t> seen_;  // GUARDED_BY(mutex_)
  struct ModelStats {
    std::int64_t requests = 0;
    std::vector<std::int64_t> arrivals_ms;  // the latest kMaxArrivals
  };
  std::unordered_map<std::string, ModelStats> stats_;  // GUARDED_BY(mutex_)
  std::int64_t requests_ = 0;                          // GUARDED_BY(mutex_)
};

// Runs the mock until stop is requested; returns an exit code.
int run_mock_llm(MockLlmOptions options, StopSignal& stop);

}  // namespace bl
