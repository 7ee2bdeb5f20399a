// The OpenAI-compatible Batch API end to end (ingest, relay, worker, projector and batch
// manager as processes, the mock LLM as provider): the batch object through its statuses, the
// output and error files line by line, validation with OpenAI's codes, create de-duplication,
// paging, and tenant isolation.

#include <gtest/gtest.h>

#include "tests/support/batch_client.hpp"

namespace bl {
namespace {

using test::parse_or_die;

std::string batch_id_of(const test::HttpResult& r) {
  auto doc = parse_json(r.body);
  return doc.ok() ? std::string(json_string(*doc, "id").value_or("")) : "";
}

TEST(BatchesApi, CompletesWithOneOutputLinePerInputLine) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  const int n = 25;
  const std::string file = test::upload_batch_file(p, test::batch_lines(n));
  ASSERT_FALSE(file.empty());
  auto created = test::create_batch(p, file, R"(,"metadata":{"project":"canary-meta"})");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.headers["content-type"], "application/json");
  auto doc = parse_or_die(created.body);
  const std::string id(json_string(doc, "id").value_or(""));
  EXPECT_EQ(id.rfind("batch_", 0), 0u);
  EXPECT_EQ(json_string(doc, "object"), "batch");
  EXPECT_EQ(json_string(doc, "status"), "in_progress");
  EXPECT_EQ(json_string(doc, "input_file_id"), file);
  EXPECT_EQ(json_string(doc, "model"), "test-model");
  EXPECT_EQ(json_int(doc["request_counts"], "total"), n);
  EXPECT_EQ(json_int(doc, "expires_at"), json_int(doc, "created_at").value_or(0) + 86400);
  EXPECT_EQ(json_string(doc["metadata"], "project"), "canary-meta");

  // An SDK retry of the same create gets the same batch.
  auto again = test::create_batch(p, file, R"(,"metadata":{"project":"canary-meta"})");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(batch_id_of(again), id);

  auto done = test::wait_for_batch_status(p, id, "completed");
  EXPECT_EQ(json_int(done["request_counts"], "total"), n);
  EXPECT_EQ(json_int(done["request_counts"], "completed"), n);
  EXPECT_EQ(json_int(done["request_counts"], "failed"), 0);
  EXPECT_GT(json_int(done["usage"], "input_tokens").value_or(0), 0);
  EXPECT_GT(json_int(done["usage"], "total_tokens").value_or(0), 0);
  EXPECT_GE(json_int(done, "completed_at").value_or(0),
            json_int(done, "finalizing_at").value_or(1));
  EXPECT_TRUE(done["error_file_id"].IsNull());
  EXPECT_EQ(json_int(done["progress"], "succeeded"), n);
  EXPECT_EQ(json_int(done["progress"], "pending"), 0);
  const std::string output(json_string(done, "output_file_id").value_or(""));
  ASSERT_FALSE(output.empty());

  auto file_obj = parse_or_die(p.get("/v1/files/" + output).body);
  EXPECT_EQ(json_string(file_obj, "purpose"), "batch_output");
  auto content = p.get("/v1/files/" + output + "/content");
  ASSERT_EQ(content.status, 200);
  int duplicates = 0;
  auto lines = test::lines_by_custom_id(content.body, &duplicates);
  EXPECT_EQ(duplicates, 0);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const std::string custom = "req-" + std::to_string(i);
    ASSERT_EQ(lines.count(custom), 1u) << custom;
    auto line = parse_or_die(lines[custom]);
    EXPECT_EQ(json_string(line, "id").value_or("").rfind("batch_req_", 0), 0u);
    EXPECT_TRUE(line["error"].IsNull());
    const JsonValue& response = line["response"];
    EXPECT_EQ(json_int(response, "status_code"), 200);
    EXPECT_TRUE(json_string(response, "request_id").has_value());
    const JsonValue& body = response["body"];
    EXPECT_EQ(json_string(body, "object"), "chat.completion");
    EXPECT_EQ(json_string(body, "model"), "test-model");
    EXPECT_EQ(json_string(body["choices"][0]["message"], "content"),
              "Echo: canary prompt " + std::to_string(i));
    EXPECT_EQ(json_string(body["choices"][0], "finish_reason"), "stop");
    EXPECT_EQ(json_int(body["usage"], "total_tokens"),
              json_int(body["usage"], "prompt_tokens").value_or(0) +
                  json_int(body["usage"], "completion_tokens").value_or(0));
  }

  // Cancelling a completed batch is refused and changes nothing.
  EXPECT_EQ(p.post("/v1/batches/" + id + "/cancel", "").status, 409);
  EXPECT_EQ(json_string(parse_or_die(p.get("/v1/batches/" + id).body), "status"), "completed");

  // Neither prompts, completions nor metadata are in the database in clear.
  const std::string dump = test::run_command("pg_dump '" + p.db.url() + "'");
  ASSERT_NE(dump.find("BatchCompleted"), std::string::npos) << "the dump did not work";
  EXPECT_EQ(dump.find("canary prompt"), std::string::npos);
  EXPECT_EQ(dump.find("canary-meta"), std::string::npos);
  for (const auto& proc : p.processes) {
    const std::string log = test::read_file(proc->log_path());
    EXPECT_EQ(log.find("canary"), std::string::npos) << proc->log_path();
  }
}

TEST(BatchesApi, ListPagesNewestFirstByTheLastId) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const std::string file = test::upload_batch_file(p, test::batch_lines(1 + i));
    auto r = test::create_batch(p, file);
    ASSERT_EQ(r.status, 200) << r.body;
    ids.push_back(batch_id_of(r));
  }
  // Lists read the read model, which may lag a moment behind the log.
  ASSERT_TRUE(test::wait_until(
      [&] { return parse_or_die(p.get("/v1/batches?limit=100").body)["data"].Size() == 3; }));
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 5; ++page) {
    auto r = p.get("/v1/batches?limit=2" + (after.empty() ? "" : "&after=" + after));
    ASSERT_EQ(r.status, 200) << r.body;
    auto doc = parse_or_die(r.body);
    EXPECT_EQ(json_string(doc, "object"), "list");
    for (const auto& b : doc["data"].GetArray())
      seen.emplace_back(json_string(b, "id").value_or(""));
    if (doc["data"].Empty() || !json_bool(doc, "has_more").value_or(false)) break;
    after = seen.back();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{ids[2], ids[1], ids[0]}));
  EXPECT_EQ(p.get("/v1/batches?limit=101").status, 400);
  EXPECT_EQ(p.get("/v1/batches?after=nonsense").status, 400);
}

struct LineCase {
  std::string content;
  std::string code;
  int line;  // 0: no line
};

TEST(BatchesApi, ValidationFailsTheBatchWithOpenAisCodesAndLines) {
  test::PipelineOptions o;
  o.extra_config_json = R"("max_batch_requests": 5)";
  test::Pipeline p(o);
  ASSERT_TRUE(p.ready());
  const std::string ok = test::batch_line("a", "x");
  const std::vector<LineCase> cases = {
      {ok + "\n{not json\n", "invalid_json_line", 2},
      {ok + "\n" + ok + "\n", "duplicate_custom_id", 2},
      {ok + "\n" +
           R"({"custom_id":"b","method":"POST","url":"/v1/embeddings","body":{"model":"test-model","messages":[{"role":"user","content":"x"}]}})" +
           "\n",
       "url_mismatch", 2},
      {ok + "\n" + test::batch_line("b", "x", "other-model") + "\n", "model_mismatch", 2},
      {"\n\n", "empty_file", 0},
      {test::batch_lines(6), "too_many_tasks", 0},
      {test::batch_line("a", "x", "no-such-model") + "\n", "model_not_found", 1},
      {R"({"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"test-model","messages":[]}})"
       "\n",
       "invalid_request", 1},
  };
  for (const auto& c : cases) {
    const std::string file = test::upload_batch_file(p, c.content);
    ASSERT_FALSE(file.empty());
    auto r = test::create_batch(p, file);
    ASSERT_EQ(r.status, 200) << c.code << ": " << r.body;
    auto doc = parse_or_die(r.body);
    EXPECT_EQ(json_string(doc, "status"), "failed") << c.code;
    EXPECT_TRUE(json_int(doc, "failed_at").has_value()) << c.code;
    const JsonValue& errors = doc["errors"];
    ASSERT_TRUE(errors.IsObject()) << r.body;
    EXPECT_EQ(json_string(errors, "object"), "list");
    ASSERT_FALSE(errors["data"].Empty()) << r.body;
    EXPECT_EQ(json_string(errors["data"][0], "code"), c.code) << r.body;
    if (c.line > 0) {
      EXPECT_EQ(json_int(errors["data"][0], "line"), c.line) << r.body;
    } else {
      EXPECT_TRUE(errors["data"][0]["line"].IsNull()) << r.body;
    }
    // A failed batch has no jobs and stays failed.
    auto again = parse_or_die(p.get("/v1/batches/" + std::string(*json_string(doc, "id"))).body);
    EXPECT_EQ(json_string(again, "status"), "failed");
  }
  auto c = p.db.connect();
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM events WHERE event_type = 'JobSubmitted'")[0].as<int>(),
            0);
}

TEST(BatchesApi, RejectsBadCreatesInTheEnvelope) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  const std::string file = test::upload_batch_file(p, test::batch_lines(1));
  auto status_of = [&](const std::string& body) { return p.post("/v1/batches", body).status; };
  EXPECT_EQ(status_of("not json"), 400);
  EXPECT_EQ(status_of(R"({"endpoint":"/v1/chat/completions","completion_window":"24h"})"), 400);
  EXPECT_EQ(status_of(R"({"input_file_id":")" + file +
                      R"(","endpoint":"/v1/embeddings","completion_window":"24h"})"),
            400);
  EXPECT_EQ(status_of(R"({"input_file_id":")" + file +
                      R"(","endpoint":"/v1/chat/completions","completion_window":"1h"})"),
            400);
  EXPECT_EQ(
      status_of(
          R"({"input_file_id":"file-00000000000000000000000000000000","endpoint":"/v1/chat/completions","completion_window":"24h"})"),
      404);
  std::string metadata = R"(,"metadata":{)";
  for (int i = 0; i < 17; ++i)
    metadata += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"v\"";
  metadata += "}";
  EXPECT_EQ(test::create_batch(p, file, metadata).status, 400);
  EXPECT_EQ(test::create_batch(p, file, R"(,"surprise":1)").status, 400);
  auto err = parse_or_die(test::create_batch(p, file, R"(,"metadata":"x")").body);
  EXPECT_EQ(json_string(err["error"], "type"), "invalid_request_error");
  EXPECT_EQ(json_string(err["error"], "param"), "metadata");
  EXPECT_EQ(test::http("POST", p.url("/v1/batches"), "{}").status, 401);
  EXPECT_EQ(p.get("/v1/batches/batch_00000000000000000000000000000000").status, 404);
  EXPECT_EQ(p.post("/v1/batches/nope/cancel", "").status, 404);
}

TEST(BatchesApi, AnotherTenantGets404AndChangesNothing) {
  test::PipelineOptions o;
  o.mock_latency_ms = 300;
  test::Pipeline p(o);
  ASSERT_TRUE(p.ready());
  const std::string file = test::upload_batch_file(p, test::batch_lines(4));
  auto created = test::create_batch(p, file);
  ASSERT_EQ(created.status, 200);
  const std::string id = batch_id_of(created);
  // The other tenant cannot create from this tenant's file, nor see, cancel, retry or read it.
  auto steal = p.post_as_other(
      "/v1/batches", R"({"input_file_id":")" + file +
                         R"(","endpoint":"/v1/chat/completions","completion_window":"24h"})");
  EXPECT_EQ(steal.status, 404) << steal.body;
  EXPECT_EQ(p.get_as_other("/v1/batches/" + id).status, 404);
  EXPECT_EQ(p.post_as_other("/v1/batches/" + id + "/cancel", "").status, 404);
  EXPECT_EQ(p.post_as_other("/v1/batches/" + id + "/retry", "").status, 404);
  EXPECT_EQ(p.get_as_other("/v1/batches/" + id + "/output").status, 404);
  EXPECT_EQ(p.get_as_other("/v1/batches/" + id + "/errors").status, 404);
  EXPECT_EQ(parse_or_die(p.get_as_other("/v1/batches").body)["data"].Size(), 0u);
  auto done = test::wait_for_batch_status(p, id, "completed");
  EXPECT_EQ(json_int(done["request_counts"], "completed"), 4);
  EXPECT_TRUE(done["cancelling_at"].IsNull());
  const std::string output(json_string(done, "output_file_id").value_or(""));
  EXPECT_EQ(p.get_as_other("/v1/files/" + output + "/content").status, 404);
}

}  // namespace
}  // namespace bl
