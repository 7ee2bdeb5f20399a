// How batches end: cancelled, expired, or completed with failures, and what a client gets in
// each case. The rule checked everywhere: every input line appears exactly once across the
// output and error files, and every job of the batch has exactly one terminal event.

#include <gtest/gtest.h>

#include <set>

#include "tests/support/batch_client.hpp"

namespace bl {
namespace {

using test::parse_or_die;

// Reads both result files of an ended batch and checks the exactly-once rule; returns the
// error lines by custom id.
std::map<std::string, std::string> check_every_line_once(const test::Pipeline& p,
                                                         const JsonValue& batch, int total) {
  std::string output, errors;
  if (auto id = json_string(batch, "output_file_id")) {
    output = p.get("/v1/files/" + std::string(*id) + "/content").body;
  }
  if (auto id = json_string(batch, "error_file_id")) {
    errors = p.get("/v1/files/" + std::string(*id) + "/content").body;
  }
  int duplicates = 0;
  auto out_lines = test::lines_by_custom_id(output, &duplicates);
  auto err_lines = test::lines_by_custom_id(errors, &duplicates);
  EXPECT_EQ(duplicates, 0);
  std::set<std::string> all;
  for (const auto& [id, line] : out_lines)
    all.insert(id);
  for (const auto& [id, line] : err_lines) {
    EXPECT_EQ(all.count(id), 0u) << id << " is in both files";
    all.insert(id);
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(total));
  for (int i = 0; i < total; ++i)
    EXPECT_EQ(all.count("req-" + std::to_string(i)), 1u) << i;
  const JsonValue& counts = batch["request_counts"];
  EXPECT_EQ(json_int(counts, "total"), total);
  EXPECT_EQ(json_int(counts, "completed"), static_cast<std::int64_t>(out_lines.size()));
  EXPECT_EQ(json_int(counts, "failed"), static_cast<std::int64_t>(err_lines.size()));
  return err_lines;
}

int terminal_events(const test::Pipeline& p) {
  auto c = p.db.connect();
  pqxx::work tx(*c);
  return tx
      .exec1(
          "SELECT count(*) FROM events WHERE event_type IN"
          " ('JobSucceeded', 'JobFailed', 'JobCancelled')")[0]
      .as<int>();
}

TEST(BatchLifecycle, CancelAccountsForEveryLineOnceAndPartialOutputIsReadable) {
  test::PipelineOptions o;
  o.mock_latency_ms = 700;
  o.extra_config_json = R"("worker_max_inflight": 2)";
  test::Pipeline p(o);
  ASSERT_TRUE(p.ready());
  const int n = 20;
  auto created = test::create_batch(p, test::upload_batch_file(p, test::batch_lines(n)));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(json_string(parse_or_die(created.body), "id").value_or(""));

  // Results so far, while the batch runs.
  std::string partial;
  ASSERT_TRUE(test::wait_until([&] {
    auto r = p.get("/v1/batches/" + id + "/output");
    partial = r.body;
    return r.status == 200 && !partial.empty();
  }));
  auto running = parse_or_die(p.get("/v1/batches/" + id).body);
  EXPECT_EQ(json_string(running, "status"), "in_progress");
  EXPECT_EQ(p.get("/v1/batches/" + id + "/output").headers["x-batchline-partial"], "true");
  int duplicates = 0;
  EXPECT_GE(test::lines_by_custom_id(partial, &duplicates).size(), 1u);

  auto cancel = p.post("/v1/batches/" + id + "/cancel", "");
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  auto cancelling = parse_or_die(cancel.body);
  EXPECT_EQ(json_string(cancelling, "status"), "cancelling");
  EXPECT_TRUE(json_int(cancelling, "cancelling_at").has_value());
  // Cancel is idempotent.
  auto again = p.post("/v1/batches/" + id + "/cancel", "");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json_string(parse_or_die(again.body), "id"), id);

  auto done = test::wait_for_batch_status(p, id, "cancelled");
  EXPECT_TRUE(json_int(done, "cancelled_at").has_value());
  auto errors = check_every_line_once(p, done, n);
  ASSERT_FALSE(errors.empty());
  for (const auto& [custom, line] : errors) {
    auto doc = parse_or_die(line);
    EXPECT_TRUE(doc["response"].IsNull());
    EXPECT_EQ(json_string(doc["error"], "code"), "batch_cancelled");
  }
  EXPECT_EQ(terminal_events(p), n);
  EXPECT_EQ(json_string(parse_or_die(p.post("/v1/batches/" + id + "/cancel", "").body), "status"),
            "cancelled");
  EXPECT_EQ(p.get("/v1/batches/" + id + "/output").headers["x-batchline-partial"], "false");
}

TEST(BatchLifecycle, ExpiryAccountsForEveryLineOnceAndRetryTakesTheExpiredLines) {
  test::PipelineOptions o;
  o.mock_latency_ms = 600;
  o.extra_config_json = R"("worker_max_inflight": 1, "batch_completion_window_s": 2)";
  test::Pipeline p(o);
  ASSERT_TRUE(p.ready());
  const int n = 12;
  auto created = test::create_batch(p, test::upload_batch_file(p, test::batch_lines(n)));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(json_string(parse_or_die(created.body), "id").value_or(""));
  auto done = test::wait_for_batch_status(p, id, "expired");
  EXPECT_TRUE(json_int(done, "expired_at").has_value());
  auto errors = check_every_line_once(p, done, n);
  ASSERT_FALSE(errors.empty());
  std::set<std::string> expired;
  for (const auto& [custom, line] : errors) {
    auto doc = parse_or_die(line);
    EXPECT_TRUE(doc["response"].IsNull());
    EXPECT_EQ(json_string(doc["error"], "code"), "batch_expired");
    EXPECT_EQ(json_string(doc["error"], "message"),
              "This request could not be executed before the completion window expired.");
    expired.insert(custom);
  }
  EXPECT_EQ(terminal_events(p), n);

  auto retry = p.post("/v1/batches/" + id + "/retry", "");
  ASSERT_EQ(retry.status, 200) << retry.body;
  auto second = parse_or_die(retry.body);
  const std::string second_id(json_string(second, "id").value_or(""));
  EXPECT_NE(second_id, id);
  EXPECT_EQ(json_int(second["request_counts"], "total"), static_cast<std::int64_t>(expired.size()));
  auto input = p.get("/v1/files/" + std::string(json_string(second, "input_file_id").value_or("")) +
                     "/content");
  int duplicates = 0;
  auto retried = test::lines_by_custom_id(input.body, &duplicates);
  std::set<std::string> retried_ids;
  for (const auto& [custom, line] : retried)
    retried_ids.insert(custom);
  EXPECT_EQ(retried_ids, expired);
  // A repeated retry answers the batch it already made.
  EXPECT_EQ(json_string(parse_or_die(p.post("/v1/batches/" + id + "/retry", "").body), "id"),
            second_id);
}

TEST(BatchLifecycle, FailedLinesGoToTheErrorFileAndCanBeRetried) {
  test::PipelineOptions o;
  o.extra_config_json = R"("worker_max_attempts": 1)";
  o.extra_models_json =
      R"({"id": "broken-model", "provider": "openai", "base_url": "http://127.0.0.1:1"})";
  test::Pipeline p(o);
  ASSERT_TRUE(p.ready());
  const int n = 3;
  auto created =
      test::create_batch(p, test::upload_batch_file(p, test::batch_lines(n, "broken-model")));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(json_string(parse_or_die(created.body), "id").value_or(""));
  auto done = test::wait_for_batch_status(p, id, "completed");
  // "completed" does not mean that anything succeeded: no output file then.
  EXPECT_TRUE(done["output_file_id"].IsNull());
  auto errors = check_every_line_once(p, done, n);
  ASSERT_EQ(errors.size(), static_cast<std::size_t>(n));
  for (const auto& [custom, line] : errors) {
    auto doc = parse_or_die(line);
    EXPECT_TRUE(doc["response"].IsNull()) << line;
    EXPECT_FALSE(json_string(doc["error"], "code").value_or("").empty()) << line;
  }
  auto retry = p.post("/v1/batches/" + id + "/retry", "");
  ASSERT_EQ(retry.status, 200) << retry.body;
  auto second = parse_or_die(retry.body);
  EXPECT_EQ(json_int(second["request_counts"], "total"), n);
  EXPECT_EQ(json_string(second, "model"), "broken-model");
  test::wait_for_batch_status(p, std::string(json_string(second, "id").value_or("")), "completed");
  // Nothing to retry in a batch whose lines all succeeded, and a running batch is refused.
  auto fine = test::create_batch(p, test::upload_batch_file(p, test::batch_lines(1)));
  const std::string fine_id(json_string(parse_or_die(fine.body), "id").value_or(""));
  test::wait_for_batch_status(p, fine_id, "completed");
  EXPECT_EQ(p.post("/v1/batches/" + fine_id + "/retry", "").status, 409);
}

TEST(BatchLifecycle, ABatchIsNeverStuckWhenItsManagerDies) {
  test::PipelineOptions o;
  o.mock_latency_ms = 500;
  o.extra_config_json = R"("worker_max_inflight": 1)";
  test::Pipeline p(o);
  ASSERT_TRUE(p.ready());
  const int n = 8;
  auto created = test::create_batch(p, test::upload_batch_file(p, test::batch_lines(n)));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(json_string(parse_or_die(created.body), "id").value_or(""));
  // The projector and batch manager die without a chance to clean up; the cancel is recorded
  // in the log all the same.
  for (auto& proc : p.processes) {
    if (proc->log_path().find("/project-") != std::string::npos) proc->kill_now();
  }
  auto cancel = p.post("/v1/batches/" + id + "/cancel", "");
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_EQ(json_string(parse_or_die(cancel.body), "status"), "cancelling");
  // A new manager finds the work in the log and finishes it.
  p.start_role("project");
  auto done = test::wait_for_batch_status(p, id, "cancelled");
  check_every_line_once(p, done, n);
  EXPECT_EQ(terminal_events(p), n);
}

}  // namespace
}  // namespace bl
