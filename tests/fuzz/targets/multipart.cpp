// Fuzz target: a multipart/form-data upload. The first line is the Content-Type, the rest the
// body, so both the boundary parameter and the parts are fuzzed.
#include "ingest/multipart.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto eol = input.find('\n');
  const std::string_view content_type = input.substr(0, eol);
  const std::string_view body = eol == std::string_view::npos ? "" : input.substr(eol + 1);
  auto boundary = bl::multipart_boundary(content_type);
  if (!boundary.ok()) return 0;
  auto parts = bl::parse_multipart(body, *boundary);
  if (parts.ok()) {
    for (const auto& part : *parts) {
      // Every part must lie inside the body it was cut from.
      if (!part.data.empty() && (part.data.data() < body.data() ||
                                 part.data.data() + part.data.size() > body.data() + body.size()))
        __builtin_trap();
    }
  }
  return 0;
}
