// Fuzz target: an OpenAI batch input file (JSONL) through the batch create's validation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/openai_batch_input.hpp"
#include "tests/fuzz/fuzz_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  (void)bl::validate_openai_batch_input(content, "/v1/chat/completions", bl::fuzz::config());
  return 0;
}
