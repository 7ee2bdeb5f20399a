#include "workers/sse_parser.hpp"

namespace bl {

Status SseParser::feed(std::string_view bytes, std::vector<SseEvent>* out) {
  if (failed_) return Error::invalid("event stream already failed");
  for (char ch : bytes) {
    if (after_cr_) {
      after_cr_ = false;
      if (ch == '\n') continue;  // the LF of a CRLF
    }
    if (ch == '\r' || ch == '\n') {
      after_cr_ = ch == '\r';
      if (auto s = take_line(line_, out); !s.ok()) {
        failed_ = true;
        return s;
      }
      line_.clear();
      continue;
    }
    if (line_.size() >= max_event_bytes_) {
      failed_ = true;
      return Error::invalid("event stream line too long");
    }
    line_.push_back(ch);
  }
  return {};
}

Status SseParser::finish(std::vector<SseEvent>* out) {
  if (failed_) return Error::invalid("event stream already failed");
  if (!line_.empty()) {
    if (auto s = take_line(line_, out); !s.ok()) return s;
    line_.clear();
  }
  return take_line("", out);
}

Status SseParser::take_line(std::string_view line, std::vector<SseEvent>* out) {
  if (line.empty()) {
    if (has_data_) out->push_back(std::move(current_));
    current_ = SseEvent();
    has_data_ = false;
    return {};
  }
  if (line.front() == ':') return {};  // a comment (keep-alive)
  std::string_view field = line;
  std::string_view value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "event") {
    current_.event.assign(value);
  } else if (field == "data") {
    if (current_.data.size() + value.size() + 1 > max_event_bytes_) {
      return Error::invalid("event stream event too large");
    }
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  }
  return {};  // id, retry and unknown fields do not matter to a provider call
}

}  // namespace bl
