// Fuzz target: a provider's answer (status from the first byte, then the body) through each
// provider's response parser. A provider is one entry in kProviders; the SSE parser
// (workers/sse_parser.hpp) is still to get a target of its own.
#include <cstddef>
#include <cstdint>
#include <string>

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
    (void)provider->parse_result(model, r);
  }
  return 0;
}
