#pragma once
// The project's error envelope (DESIGN.md §9), a superset of OpenAI's error shape:
//   {"error": {"code", "message", "type", "param", "status", "details"}}
// Messages name fields, limits and states; they never quote user content.

#include <optional>
#include <string>
#include <string_view>

#include "core/http_server.hpp"
#include "core/result.hpp"

namespace bl {

struct ApiError {
  int status = 400;
  std::string code;
  std::string message;
  std::optional<std::string> param;
  std::string details_json;  // a JSON array or object, or empty for null
};

HttpResponse error_response(const ApiError& e);
HttpResponse error_response(int status, std::string_view code, std::string_view message,
                            std::optional<std::string_view> param = std::nullopt);
// Maps an internal Error to its HTTP status and code.
HttpResponse error_response(const Error& e);
int http_status_for(ErrorCode code);
// Adds Retry-After (seconds) to a response.
HttpResponse with_retry_after(HttpResponse response, int seconds);

// OpenAI's "type" for a status: invalid_request_error, authentication_error, ...
std::string_view error_type_for(int status);

}  // namespace bl
