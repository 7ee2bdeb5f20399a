#pragma once
// The configuration every fuzz target validates against: one model "m1".

#include "config/config.hpp"

namespace bl::fuzz {

inline const Config& config() {
  static const Config c = [] {
    auto loaded = load_config_from(
        R"({"models": [{"id": "m1", "base_url": "http://127.0.0.1:9", "max_output_tokens": 100}]})",
        {});
    if (!loaded.ok()) __builtin_trap();
    return std::move(*loaded);
  }();
  return c;
}

}  // namespace bl::fuzz
