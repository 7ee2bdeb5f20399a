#include "tests/support/models_config.hpp"

#include <fstream>

#include "tests/support/test_env.hpp"

namespace bl::test {

std::string write_config_with_unreachable_model(int mock_port) {
  const std::string path = scratch_dir() + "/config-with-unreachable-model.json";
  std::ofstream(path) << R"({"models": [{"id": "test-model", "base_url": "http://127.0.0.1:)"
                      << mock_port << R"(", "upstream_model": "mock"},)"
                      << R"( {"id": "unreachable-model", "base_url": "http://127.0.0.1:)"
                      << free_port() << R"("}]})";
  return path;
}

}  // namespace bl::test
