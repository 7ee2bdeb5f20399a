#pragma once
// multipart/form-data bodies (RFC 7578), as the OpenAI SDKs send file uploads: in any field
// order, with a Content-Length or chunked (evhttp has already removed the chunk framing). Parts
// point into the body; nothing is copied.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bl {

struct MultipartPart {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string_view data;
};

// The boundary parameter of a multipart/form-data Content-Type.
Result<std::string> multipart_boundary(std::string_view content_type);

// Every part of the body; kInvalidArgument for a malformed body or more than max_parts parts.
Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                                   std::size_t max_parts = 16);

}  // namespace bl
