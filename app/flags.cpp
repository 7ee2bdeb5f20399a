#include "app/flags.hpp"

#include <charconv>

namespace bl {

bool Flags::get_int(const std::string& name, long long fallback, long long* out,
                    std::string* error) const {
  auto it = values.find(name);
  if (it == values.end()) {
    *out = fallback;
    return true;
  }
  const std::string& v = it->second;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  if (ec != std::errc() || p != v.data() + v.size()) {
    *error = "--" + name + " expects an integer";
    return false;
  }
  return true;
}

Flags parse_flags(int argc, char** argv, int first, const std::vector<std::string>& boolean) {
  Flags f;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      f.positional.push_back(a);
      continue;
    }
    a = a.substr(2);
    if (auto eq = a.find('='); eq != std::string::npos) {
      f.values[a.substr(0, eq)] = a.substr(eq + 1);
      continue;
    }
    bool is_bool = false;
    for (const auto& b : boolean)
      is_bool = is_bool || b == a;
    if (is_bool || i + 1 >= argc) {
      f.values[a] = "true";
    } else {
      f.values[a] = argv[++i];
    }
  }
  return f;
}

}  // namespace bl
