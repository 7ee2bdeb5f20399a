// The dashboard in a real browser: tests/ui/dashboard.mjs drives Debian's chromium with
// playwright-core (both installed by scripts/setup) against a running pipeline. Screenshots
// land in this test's scratch directory under build/.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/tenants.hpp"

namespace bl {
namespace {

TEST(Dashboard, SubmitsABatchWatchesItReach100PercentAndChartsItsTokens) {
  const std::string dir = std::string(BL_SOURCE_DIR) + "/tests/ui";
  struct stat st {};
  ASSERT_EQ(stat((dir + "/node_modules").c_str(), &st), 0)
      << "tests/ui/node_modules is missing: run scripts/setup";
  test::TenantPipeline t(test::PipelineOptions{});
  ASSERT_TRUE(t.ready());
  const test::Pipeline& p = t.p;
  const std::string shots = test::scratch_dir() + "/screenshots";
  const std::string log = test::scratch_dir() + "/dashboard.log";
  const std::string out = test::run_command(
      "cd '" + dir + "' && BL_BASE_URL='" + p.url("") + "' BL_API_KEY='" + t.tenant.client_key +
      "' BL_ADMIN_KEY='" + t.tenant.admin_key + "' BL_SHOTS='" + shots + "' node dashboard.mjs >'" +
      log + "' 2>&1; echo \"exit=$?\"");
  EXPECT_EQ(out, "exit=0\n") << test::read_file(log);
  for (const char* view : {"batches", "usage", "fleet", "audit", "optimizations"}) {
    EXPECT_EQ(stat((shots + "/" + view + ".png").c_str(), &st), 0) << view;
    EXPECT_GT(st.st_size, 1000) << view;
  }
}

}  // namespace
}  // namespace bl
