// Fuzz target: a provider's answer (status from the first byte, then the body) through each
// provider's response parsers: the whole-body parser with the shared classification, and the
// same bytes as a server-sent event stream (workers/sse_parser.hpp) fed to the provider's
// stream-event parser in two pieces. A provider is one entry in kProviders.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/fuzz_config.hpp"
#include "workers/provider.hpp"

namespace {

constexpr const char* kProviders[] = {"openai", "anthropic", "gemini", "azure"};
constexpr long kStatuses[] = {200, 200, 200, 400, 401, 404, 408, 429, 500, 503, 529};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bl::HttpCallResult r;
  if (size > 0) {
    r.status = kStatuses[data[0] % (sizeof(kStatuses) / sizeof(kStatuses[0]))];
    r.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  }
  r.headers = {{"retry-after", r.body.substr(0, 8)}, {"retry-after-ms", r.body.substr(0, 4)}};
  const bl::ModelConfig& model = *bl::fuzz::config().find_model("m1");
  for (const char* name : kProviders) {
    const bl::Provider* provider = bl::find_provider(name);
    if (provider == nullptr) __builtin_trap();  // a listed provider must exist
    (void)bl::parse_result(*provider, model, r);
    bl::SseParser sse(64 << 10);
    std::vector<bl::SseEvent> events;
    const std::string_view body = r.body;
    const std::size_t half = body.size() / 2;
    (void)sse.feed(body.substr(0, half), &events);
    (void)sse.feed(body.substr(half), &events);
    (void)sse.finish(&events);
    bl::StreamState state;
    for (const auto& event : events)
      (void)provider->apply_stream_event(event, &state);
  }
  return 0;
}
