// docs/operations.md's configuration table has a line for every setting, with its environment
// variable, so the reference cannot fall behind the code.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config.hpp"

namespace bl {
namespace {

TEST(SettingsDoc, EverySettingHasALineInTheOperationsTable) {
  std::ifstream in(std::filesystem::path(BL_SOURCE_DIR) / "docs/operations.md");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const auto settings = describe_settings();
  ASSERT_GT(settings.size(), 20u);
  for (const SettingInfo& s : settings) {
    const std::string line = "| `" + std::string(s.key) + "` | `" + std::string(s.env) + "` |";
    EXPECT_NE(doc.find(line), std::string::npos)
        << s.key << " (" << s.env << ") has no line in docs/operations.md's settings table";
  }
}

}  // namespace
}  // namespace bl
