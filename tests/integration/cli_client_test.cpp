// The client commands of the binary against a running pipeline: `submit --wait` of a
// 10,000-line file shows progress and ends with a summary; results, jobs get/list/cancel; the
// documented exit codes (docs/cli.md).

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "core/json.hpp"
#include "tests/support/pipeline.hpp"

namespace bl {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CliRun run_cli(const test::Pipeline& p, const std::string& args, const std::string& url = "") {
  static int runs = 0;  // each run keeps its output in the scratch directory
  const std::string base = test::scratch_dir() + "/cli-" + std::to_string(++runs);
  const std::string out = base + ".out", err = base + ".err";
  const std::string code = test::run_command(
      "BL_URL='" + (url.empty() ? p.url("") : url) + "' BL_API_KEY='" + p.api_key + "' '" +
      test::binary_path() + "' " + args + " >'" + out + "' 2>'" + err + "' </dev/null; echo $?");
  return {std::stoi(code), test::read_file(out), test::read_file(err)};
}

std::string write_prompts(int lines) {
  const std::string path = test::scratch_dir() + "/prompts.jsonl";
  std::ofstream f(path);
  for (int i = 0; i < lines; ++i) {
    f << R"({"prompt": "question )" << i << R"(", "max_tokens": 20})"
      << "\n";
  }
  return path;
}

int count_lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

std::string batch_id_of(const std::string& out) {
  const auto end = out.find(" submitted:");
  return end == std::string::npos ? "" : out.substr(0, end);
}

TEST(CliClient, SubmitWaitShowsProgressAndASummaryOfTenThousandRequests) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  const std::string input = write_prompts(10000);
  const std::string output = test::scratch_dir() + "/out.jsonl";
  const CliRun run =
      run_cli(p, "submit '" + input + "' --model test-model --wait --output '" + output + "'");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string id = batch_id_of(run.out);
  ASSERT_EQ(id.rfind("batch_", 0), 0u) << run.out;
  EXPECT_NE(run.out.find(id + " submitted: 10000 requests\n"), std::string::npos);
  // Not a terminal: plain progress lines, no carriage returns.
  EXPECT_NE(run.out.find("progress: status=in_progress done=0 failed=0 total=10000"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find('\r'), std::string::npos);
  EXPECT_NE(run.out.find(id + " completed: total=10000 succeeded=10000 failed=0 in "),
            std::string::npos)
      << run.out;
  const std::string lines = test::read_file(output);
  EXPECT_EQ(count_lines(lines), 10000);
  EXPECT_NE(lines.find("\"custom_id\":\"line-10000\""), std::string::npos);

  // results writes the same lines; jobs list filters by batch; jobs get reads one of them.
  const std::string again = test::scratch_dir() + "/again.jsonl";
  const CliRun results = run_cli(p, "results " + id + " --output '" + again + "'");
  EXPECT_EQ(results.exit_code, 0) << results.err;
  EXPECT_EQ(count_lines(test::read_file(again)), 10000);
  const CliRun list = run_cli(p, "jobs list --batch " + id + " --limit 3");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto doc = parse_json(list.out);
  ASSERT_TRUE(doc.ok());
  const JsonValue* data = json_member(*doc, "data");
  ASSERT_TRUE(data != nullptr && data->IsArray());
  ASSERT_EQ(data->Size(), 3u);
  const std::string job(*json_string((*data)[0], "id"));
  const CliRun got = run_cli(p, "jobs get " + job);
  EXPECT_EQ(got.exit_code, 0);
  EXPECT_NE(got.out.find("\"status\":\"succeeded\""), std::string::npos) << got.out;
  // A finished job cannot be cancelled: the API refuses (409), exit code 3.
  const CliRun cancel = run_cli(p, "jobs cancel " + job);
  EXPECT_EQ(cancel.exit_code, 3);
  EXPECT_NE(cancel.err.find("HTTP 409"), std::string::npos) << cancel.err;
}

TEST(CliClient, ExitCodesForBadInputRefusalsAndNoServer) {
  test::Pipeline p(test::PipelineOptions{.start_roles = false});
  const std::string bad = test::scratch_dir() + "/bad.jsonl";
  std::ofstream(bad) << "{\"prompt\": \"fine\"}\nnot json\n";
  const CliRun usage = run_cli(p, "submit '" + bad + "' --model test-model");
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("line 2: not a JSON object"), std::string::npos) << usage.err;
  EXPECT_EQ(usage.err.find("not json"), std::string::npos);  // never echoes content
  EXPECT_EQ(run_cli(p, "jobs").exit_code, 2);
  const CliRun down =
      run_cli(p, "jobs list", "http://127.0.0.1:" + std::to_string(test::free_port()));
  EXPECT_EQ(down.exit_code, 4);
  EXPECT_NE(down.err.find("cannot reach the server"), std::string::npos) << down.err;

  p.start_role("ingest");
  ASSERT_TRUE(p.ready());
  // Every line shape the CLI accepts becomes a batch line the server validates and accepts.
  const std::string shapes = test::scratch_dir() + "/shapes.jsonl";
  std::ofstream(shapes)
      << R"({"prompt": "a prompt", "max_tokens": 5})"
      << "\n\n"
      << R"({"custom_id": "mine", "messages": [{"role": "user", "content": "hi"}]})"
      << "\n"
      << R"({"custom_id": "line", "method": "POST", "url": "/v1/chat/completions", )"
      << R"("body": {"model": "other", "messages": [{"role": "user", "content": "yo"}]}})"
      << "\n";
  const CliRun mixed = run_cli(p, "submit '" + shapes + "' --model test-model");
  EXPECT_EQ(mixed.exit_code, 0) << mixed.err;
  EXPECT_NE(mixed.out.find(" submitted: 3 requests"), std::string::npos) << mixed.out;
  const CliRun missing = run_cli(p, "jobs get job_00000000000000000000000000000000");
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("HTTP 404"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace bl
