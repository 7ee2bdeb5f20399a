#include "core/queue_keys.hpp"

namespace bl {

int priority_band(int priority) {
  if (priority < 250) return 0;
  if (priority < 750) return 1;
  return 2;
}

std::string QueueKeys::stream(std::string_view model, int band) const {
  std::string s = prefix_;
  s += ":{";
  s += model;
  s += "}:q:";
  s += std::to_string(band);
  return s;
}

std::string QueueKeys::delivery(std::string_view model, const Uuid& job, int attempt) const {
  std::string s = prefix_;
  s += ":{";
  s += model;
  s += "}:d:";
  s += job.to_hex();
  s += ':';
  s += std::to_string(attempt);
  return s;
}

std::string QueueKeys::rate_bucket(std::string_view model, std::string_view kind) const {
  std::string s = prefix_;
  s += ":{";
  s += model;
  s += "}:rl:";
  s += kind;
  return s;
}

}  // namespace bl
