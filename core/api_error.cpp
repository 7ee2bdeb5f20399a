#include "core/api_error.hpp"

#include "core/json.hpp"

namespace bl {

std::string_view error_type_for(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

int http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
    case ErrorCode::kVersionConflict:
    case ErrorCode::kIllegalTransition:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kTimeout:
      return 504;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse error_response(const ApiError& e) {
  JsonWriter w;
  w.begin_object().key("error").begin_object();
  w.field("code", e.code);
  w.field("message", e.message);
  w.field("type", error_type_for(e.status));
  w.optional_field("param", e.param);
  w.field("status", e.status);
  w.key("details");
  if (e.details_json.empty()) {
    w.null();
  } else {
    w.raw(e.details_json);
  }
  w.end_object().end_object();
  return HttpResponse::json(e.status, w.str());
}

HttpResponse error_response(int status, std::string_view code, std::string_view message,
                            std::optional<std::string_view> param) {
  ApiError e{status, std::string(code), std::string(message),
             param ? std::optional<std::string>(std::string(*param)) : std::nullopt, ""};
  return error_response(e);
}

HttpResponse error_response(const Error& e) {
  const int status = http_status_for(e.code);
  // Internal details stay in logs; clients get a stable message.
  std::string message = status >= 500 && e.code != ErrorCode::kUnavailable
                            ? std::string("internal error")
                            : e.message;
  return error_response(status, error_code_name(e.code), message);
}

}  // namespace bl

namespace bl {

HttpResponse with_retry_after(HttpResponse response, int seconds) {
  response.headers.emplace_back("Retry-After", std::to_string(seconds));
  return response;
}

}  // namespace bl
