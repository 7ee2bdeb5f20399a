#pragma once
// Expected failures are values, not exceptions (STYLE.md rule 3). A Result<T> holds either a T
// or an Error; Status is Result<void>. Error messages must never contain user content: they
// are logged and returned to clients.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace bl {

enum class ErrorCode {
  kInvalidArgument,    // bad input from a client or a file
  kUnauthenticated,    // missing or invalid credentials
  kPermissionDenied,   // valid credentials, wrong scope
  kNotFound,           // no such object (or another tenant's)
  kConflict,           // state does not allow the request
  kVersionConflict,    // expected-version append lost a race
  kIllegalTransition,  // the job state table forbids this event
  kResourceExhausted,  // rate limit, quota or queue full
  kPayloadTooLarge,    // request or item above a size limit
  kUnavailable,        // a dependency (PostgreSQL, Redis, provider) is unreachable
  kTimeout,            // a deadline passed
  kInternal,           // a broken invariant or an unexpected library failure
};

// Stable snake_case name of an error code, used in logs and metrics.
const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  static Error invalid(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Error not_found(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Error conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Error unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() {
  return {};
}

}  // namespace bl
