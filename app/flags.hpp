#pragma once
// Minimal command-line flags: "--name value" and "--name=value"; bare "--flag" is "true".

#include <map>
#include <string>
#include <vector>

namespace bl {

struct Flags {
  std::map<std::string, std::string> values;
  std::vector<std::string> positional;

  bool has(const std::string& name) const { return values.count(name) != 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
  // False (with *error set) when the value is not an integer.
  bool get_int(const std::string& name, long long fallback, long long* out,
               std::string* error) const;
};

// Flags in `boolean` take no value.
Flags parse_flags(int argc, char** argv, int first, const std::vector<std::string>& boolean = {});

}  // namespace bl
