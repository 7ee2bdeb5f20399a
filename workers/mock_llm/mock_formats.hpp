#pragma once
// The four provider wire formats as the mock speaks them: parse a request into the neutral
// MockRequest, and render an answer, a stream of server-sent events or an error in the
// provider's own shape (/work/shared/reference/provider-and-batch-apis.md §4).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/http_server.hpp"
#include "core/result.hpp"
#include "workers/mock_llm/mock_reply.hpp"

namespace bl {

enum class MockFormat { kOpenAi, kAzure, kAnthropic, kGemini };

struct MockRequest {
  MockFormat format = MockFormat::kOpenAi;
  std::string model;
  std::vector<MockMessage> messages;
  std::int64_t max_tokens = 0;  // 0: no limit asked
  bool stream = false;
};

struct MockAnswer {
  std::vector<std::string> pieces;  // the text in streaming pieces (words)
  std::string finish;               // stop or length
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::string text() const;
};

// model_in_path: Azure's deployment or Gemini's model (the others name it in the body).
Result<MockRequest> parse_mock_request(MockFormat format, std::string_view model_in_path,
                                       bool stream_in_path, std::string_view body);

// The answer to a request: reply text, cut to max_tokens, and usage (about four bytes a token).
MockAnswer mock_answer(const MockRequest& request, std::uint64_t seed);

// A complete non-streaming body.
std::string render_body(const MockRequest& request, const MockAnswer& answer);
// The events of a streamed answer, each a complete "event:/data:" block ending in a blank line.
std::vector<std::string> render_stream(const MockRequest& request, const MockAnswer& answer);

// An error in the format's shape. kind: rate_limited, quota, server, overloaded, invalid,
// unauthorized. retry_after_ms (rate_limited only) goes where the provider puts it.
HttpResponse render_error(MockFormat format, std::string_view kind, std::int64_t retry_after_ms);

}  // namespace bl
