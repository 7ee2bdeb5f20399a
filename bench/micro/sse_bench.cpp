// SSE parsing of a streamed completion (workers/sse_parser.hpp): 50 OpenAI-style chunks, fed
// in 64-byte pieces as network reads would split them.

#include <benchmark/benchmark.h>

#include <algorithm>

#include "workers/sse_parser.hpp"

namespace bl {
namespace {

std::string streamed_completion() {
  std::string s;
  for (int i = 0; i < 50; ++i) {
    s += R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,)"
         R"("delta":{"content":"word )" +
         std::to_string(i) + R"( "},"finish_reason":null}]})" + "\n\n";
  }
  return s + "data: [DONE]\n\n";
}

void BM_SseParseCompletion(benchmark::State& state) {
  const std::string stream = streamed_completion();
  constexpr std::size_t kRead = 64;
  std::vector<SseEvent> events;
  for (auto _ : state) {
    SseParser parser;
    events.clear();
    for (std::size_t at = 0; at < stream.size(); at += kRead) {
      (void)parser.feed(std::string_view(stream).substr(at, std::min(kRead, stream.size() - at)),
                        &events);
    }
    (void)parser.finish(&events);
    benchmark::DoNotOptimize(events.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_SseParseCompletion);

}  // namespace
}  // namespace bl
