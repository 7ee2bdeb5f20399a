#pragma once
// Model registries for tests that need more than write_models_config's one mock model.

#include <string>

namespace bl::test {

// Writes a config file with "test-model" (the mock at mock_port) and "unreachable-model"
// (a port where nothing listens: every call fails to connect, a retryable error). Returns
// its path.
std::string write_config_with_unreachable_model(int mock_port);

}  // namespace bl::test
