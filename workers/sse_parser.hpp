#pragma once
// Server-sent events (text/event-stream) parser: a pure function of the bytes fed to it, so it
// can be fuzzed. Bytes arrive in arbitrary pieces (a network read may split a line or a UTF-8
// sequence anywhere); complete events come out in order. Follows the WHATWG rules the
// providers rely on: "event:" and "data:" fields, one optional space after the colon, several
// data lines joined with "\n", comment lines (":") and unknown fields ignored, an event ends at
// a blank line, CRLF, CR or LF line ends.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bl {

struct SseEvent {
  std::string event;  // "" when the event had no "event:" field
  std::string data;
};

class SseParser {
 public:
  // max_event_bytes bounds one event (its data) and one line: a stream that exceeds it is
  // malformed rather than an unbounded allocation.
  explicit SseParser(std::size_t max_event_bytes = 1 << 20) : max_event_bytes_(max_event_bytes) {}

  // Appends bytes; complete events are appended to *out. An error leaves the parser failed:
  // every later feed fails too.
  Status feed(std::string_view bytes, std::vector<SseEvent>* out);
  // The end of the stream: an event still missing its blank line is dispatched (servers often
  // close right after the last data line).
  Status finish(std::vector<SseEvent>* out);

 private:
  Status take_line(std::string_view line, std::vector<SseEvent>* out);

  std::size_t max_event_bytes_;
  std::string line_;  // bytes of the current, unfinished line
  bool after_cr_ = false;
  bool failed_ = false;
  bool has_data_ = false;
  SseEvent current_;
};

}  // namespace bl
