// The official SDKs against a running Batchline: tests/sdk/*.mjs drive the openai and
// @anthropic-ai/sdk npm packages (installed by scripts/setup into tests/sdk/node_modules)
// through upload, create, poll, list and download. Each script exits non-zero on failure.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/pipeline.hpp"

namespace bl {
namespace {

void run_sdk_script(const std::string& script) {
  const std::string dir = std::string(BL_SOURCE_DIR) + "/tests/sdk";
  struct stat st {};
  ASSERT_EQ(stat((dir + "/node_modules").c_str(), &st), 0)
      << "tests/sdk/node_modules is missing: run scripts/setup";
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  const std::string log = test::scratch_dir() + "/" + script + ".log";
  const std::string out =
      test::run_command("cd '" + dir + "' && BL_BASE_URL='" + p.url("") + "' BL_API_KEY='" +
                        p.api_key + "' node " + script + " >'" + log + "' 2>&1; echo \"exit=$?\"");
  EXPECT_EQ(out, "exit=0\n") << test::read_file(log);
}

TEST(Sdk, OpenAiPackageUploadsCreatesPollsListsAndDownloads) {
  run_sdk_script("openai_batch.mjs");
}

TEST(Sdk, AnthropicPackageCreatesPollsListsAndReadsResults) {
  run_sdk_script("anthropic_batch.mjs");
}

}  // namespace
}  // namespace bl
