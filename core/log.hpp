#pragma once
// Structured JSON-lines logging. Privacy by construction: a field value is a number, a bool,
// an identifier wrapped with log::id(), or a code (a string literal or log::code() of a fixed
// vocabulary such as error_code_name()). There is no overload for arbitrary strings, so
// prompt text, completions, titles, keys and tokens cannot reach a log line by accident.
//
//   log::info("job.succeeded", {{"job_id", log::id(job)}, {"latency_ms", 12}});

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace bl::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError };

// An identifier (uuid, api id, request id, worker name). Must never wrap user content.
struct Id {
  std::string_view text;
};
inline Id id(std::string_view s) {
  return Id{s};
}

// A code from a fixed vocabulary (error codes, states, event types, route templates).
struct Code {
  std::string_view text;
};
inline Code code(std::string_view s) {
  return Code{s};
}

class Value {
 public:
  enum class Kind { kInt, kUint, kDouble, kBool, kString };

  Value(int v) : kind_(Kind::kInt), i_(v) {}                  // NOLINT
  Value(long v) : kind_(Kind::kInt), i_(v) {}                 // NOLINT
  Value(long long v) : kind_(Kind::kInt), i_(v) {}            // NOLINT
  Value(unsigned v) : kind_(Kind::kUint), u_(v) {}            // NOLINT
  Value(unsigned long v) : kind_(Kind::kUint), u_(v) {}       // NOLINT
  Value(unsigned long long v) : kind_(Kind::kUint), u_(v) {}  // NOLINT
  Value(double v) : kind_(Kind::kDouble), d_(v) {}            // NOLINT
  Value(bool v) : kind_(Kind::kBool), b_(v) {}                // NOLINT
  Value(Id v) : kind_(Kind::kString), s_(v.text) {}           // NOLINT
  Value(Code v) : kind_(Kind::kString), s_(v.text) {}         // NOLINT
  template <std::size_t N>
  Value(const char (&literal)[N]) : kind_(Kind::kString), s_(literal, N - 1) {}  // NOLINT

  Kind kind() const { return kind_; }
  std::int64_t as_int() const { return i_; }
  std::uint64_t as_uint() const { return u_; }
  double as_double() const { return d_; }
  bool as_bool() const { return b_; }
  std::string_view as_string() const { return s_; }

 private:
  Kind kind_;
  std::int64_t i_ = 0;
  std::uint64_t u_ = 0;
  double d_ = 0;
  bool b_ = false;
  std::string_view s_;
};

struct Field {
  std::string_view key;
  Value value;
};

using Fields = std::initializer_list<Field>;

// Configures the process logger: role name on every line, minimum level, and output
// (stderr when path is empty). Safe to call again (tests).
void init(std::string_view role, Level level, const std::string& path = "");
bool parse_level(std::string_view text, Level* out);
bool enabled(Level level);

void write(Level level, std::string_view event, Fields fields);
inline void trace(std::string_view event, Fields fields = {}) {
  write(Level::kTrace, event, fields);
}
inline void debug(std::string_view event, Fields fields = {}) {
  write(Level::kDebug, event, fields);
}
inline void info(std::string_view event, Fields fields = {}) {
  write(Level::kInfo, event, fields);
}
inline void warn(std::string_view event, Fields fields = {}) {
  write(Level::kWarn, event, fields);
}
inline void error(std::string_view event, Fields fields = {}) {
  write(Level::kError, event, fields);
}
void flush();

}  // namespace bl::log
