// Fuzz target: a POST /v1/jobs body through the same validation ingest runs.
#include "ingest/job_validation.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)bl::validate_jobs(body, bl::fuzz::config());
  return 0;
}
