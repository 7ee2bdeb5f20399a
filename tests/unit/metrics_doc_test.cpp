// docs/metrics.md names every metric the code registers, so the documentation cannot drift:
// a new counter, gauge or histogram fails this test until it has its line.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace bl {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> registered_metrics() {
  const std::regex registration(R"re((counter|gauge|histogram)\(\s*"(bl_[a-z0-9_]+)")re");
  std::set<std::string> names;
  const std::filesystem::path root(BL_SOURCE_DIR);
  for (const char* component : {"core", "ingest", "outbox", "workers", "projections", "app"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / component)) {
      if (entry.path().extension() != ".cpp") continue;
      const std::string text = read_text(entry.path());
      for (std::sregex_iterator it(text.begin(), text.end(), registration), end; it != end; ++it) {
        names.insert((*it)[2]);
      }
    }
  }
  return names;
}

TEST(MetricsDoc, EveryRegisteredMetricIsDocumented) {
  const std::set<std::string> names = registered_metrics();
  ASSERT_GT(names.size(), 30u);
  const std::string doc = read_text(std::filesystem::path(BL_SOURCE_DIR) / "docs/metrics.md");
  for (const std::string& name : names) {
    EXPECT_NE(doc.find("`" + name + "`"), std::string::npos)
        << name << " is registered in the code but missing from docs/metrics.md";
  }
}

}  // namespace
}  // namespace bl
