// Fuzz target: a Message Batches create body under both API versions.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/anthropic_batch_input.hpp"
#include "tests/fuzz/fuzz_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)bl::validate_anthropic_batch(body, bl::kAnthropicVersion2023, bl::fuzz::config());
  (void)bl::validate_anthropic_batch(body, bl::kAnthropicVersion2026, bl::fuzz::config());
  return 0;
}
