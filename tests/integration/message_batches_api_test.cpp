// The Anthropic-compatible Message Batches API end to end: both auth headers and both API
// versions, the MessageBatch object, results in Anthropic's format, cancel, delete, paging by
// after_id, errors in Anthropic's shape, and tenant isolation.

#include <gtest/gtest.h>

#include <set>

#include "tests/support/batch_client.hpp"

namespace bl {
namespace {

using test::parse_or_die;

std::string requests_body(int n, const std::string& extra_params = "") {
  std::string body = R"({"requests":[)";
  for (int i = 0; i < n; ++i) {
    if (i > 0) body += ",";
    body += R"({"custom_id":"r-)" + std::to_string(i) +
            R"(","params":{"model":"test-model","max_tokens":64,"system":"be brief",)" +
            R"("messages":[{"role":"user","content":[{"type":"text","text":"canary )" +
            std::to_string(i) + R"("}]}])" + extra_params + "}}";
  }
  return body + "]}";
}

struct Client {
  const test::Pipeline& p;
  std::vector<std::string> headers;

  test::HttpResult call(const std::string& method, const std::string& path,
                        const std::string& body = "") const {
    auto h = headers;
    if (!body.empty()) h.push_back("Content-Type: application/json");
    return test::http(method, p.url(path), body, h);
  }
};

Client x_api_key(const test::Pipeline& p, const std::string& key) {
  return {p, {"x-api-key: " + key, "anthropic-version: 2023-06-01"}};
}

Client bearer_2026(const test::Pipeline& p) {
  return {p, {"Authorization: Bearer " + p.api_key, "anthropic-version: 2026-10-21"}};
}

JsonDocument wait_ended(const Client& c, const std::string& id) {
  std::string last;
  EXPECT_TRUE(test::wait_until(
      [&] {
        auto r = c.call("GET", "/v1/messages/batches/" + id);
        last = r.body;
        auto doc = parse_json(r.body);
        return doc.ok() && json_string(*doc, "processing_status") == "ended";
      },
      std::chrono::seconds(60), std::chrono::milliseconds(50)))
      << last;
  return parse_or_die(last);
}

TEST(MessageBatchesApi, CreatePollResultsAndDelete) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  const Client c = x_api_key(p, p.api_key);
  auto created = c.call("POST", "/v1/messages/batches", requests_body(5, R"(,"temperature":0.5)"));
  ASSERT_EQ(created.status, 200) << created.body;
  auto batch = parse_or_die(created.body);
  const std::string id(json_string(batch, "id").value_or(""));
  EXPECT_EQ(id.rfind("msgbatch_", 0), 0u);
  EXPECT_EQ(json_string(batch, "type"), "message_batch");
  EXPECT_EQ(json_string(batch, "processing_status"), "in_progress");
  EXPECT_EQ(json_int(batch["request_counts"], "processing"), 5);
  EXPECT_TRUE(batch["results_url"].IsNull());
  EXPECT_EQ(json_string(batch, "created_at").value_or("").back(), 'Z');
  // Results only once ended; an in-progress batch cannot be deleted.
  EXPECT_EQ(c.call("DELETE", "/v1/messages/batches/" + id).status, 400);

  auto ended = wait_ended(c, id);
  EXPECT_EQ(json_int(ended["request_counts"], "succeeded"), 5);
  EXPECT_EQ(json_int(ended["request_counts"], "processing"), 0);
  EXPECT_FALSE(ended["ended_at"].IsNull());
  const std::string url(json_string(ended, "results_url").value_or(""));
  EXPECT_NE(url.find("/v1/messages/batches/" + id + "/results"), std::string::npos) << url;
  auto results = c.call("GET", "/v1/messages/batches/" + id + "/results");
  ASSERT_EQ(results.status, 200) << results.body;
  int duplicates = 0;
  auto lines = test::lines_by_custom_id(results.body, &duplicates);
  EXPECT_EQ(duplicates, 0);
  ASSERT_EQ(lines.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    auto line = parse_or_die(lines["r-" + std::to_string(i)]);
    const JsonValue& result = line["result"];
    EXPECT_EQ(json_string(result, "type"), "succeeded");
    const JsonValue& message = result["message"];
    EXPECT_EQ(json_string(message, "type"), "message");
    EXPECT_EQ(json_string(message, "role"), "assistant");
    EXPECT_EQ(json_string(message, "stop_reason"), "end_turn");
    EXPECT_EQ(json_string(message["content"][0], "type"), "text");
    EXPECT_EQ(json_string(message["content"][0], "text"), "Echo: canary " + std::to_string(i));
    EXPECT_GT(json_int(message["usage"], "output_tokens").value_or(0), 0);
  }
  // An OpenAI client does not see Anthropic batches, nor the other way round.
  EXPECT_EQ(parse_or_die(p.get("/v1/batches").body)["data"].Size(), 0u);
  EXPECT_EQ(p.get("/v1/batches/batch_" + id.substr(9)).status, 404);

  auto deleted = c.call("DELETE", "/v1/messages/batches/" + id);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(json_string(parse_or_die(deleted.body), "type"), "message_batch_deleted");
  EXPECT_EQ(c.call("GET", "/v1/messages/batches/" + id).status, 404);
  EXPECT_EQ(c.call("GET", "/v1/messages/batches/" + id + "/results").status, 404);
}

TEST(MessageBatchesApi, BearerAndVersion2026AndErrorsInAnthropicShape) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  const Client c = bearer_2026(p);
  auto ok = c.call("POST", "/v1/messages/batches", requests_body(2));
  ASSERT_EQ(ok.status, 200) << ok.body;
  // Under 2026-10-21 sampling parameters are refused, inside batches too.
  for (const char* param : {R"(,"temperature":0.2)", R"(,"top_p":0.9)", R"(,"top_k":5)"}) {
    auto r = c.call("POST", "/v1/messages/batches", requests_body(1, param));
    EXPECT_EQ(r.status, 400) << param;
    auto doc = parse_or_die(r.body);
    EXPECT_EQ(json_string(doc, "type"), "error");
    EXPECT_EQ(json_string(doc["error"], "type"), "invalid_request_error");
    EXPECT_FALSE(json_string(doc["error"], "message").value_or("").empty());
  }
  const std::vector<std::string> bad = {
      "nope",
      R"({"requests":[]})",
      R"({"requests":[{"custom_id":"a b","params":{"model":"test-model","max_tokens":5,"messages":[{"role":"user","content":"x"}]}}]})",
      R"({"requests":[{"custom_id":"a","params":{"model":"test-model","max_tokens":5,"messages":[{"role":"user","content":"x"}]}},{"custom_id":"a","params":{"model":"test-model","max_tokens":5,"messages":[{"role":"user","content":"x"}]}}]})",
      R"({"requests":[{"custom_id":"a","params":{"model":"nope","max_tokens":5,"messages":[{"role":"user","content":"x"}]}}]})",
      R"({"requests":[{"custom_id":"a","params":{"model":"test-model","messages":[{"role":"user","content":"x"}]}}]})",
      R"({"requests":[{"custom_id":"a","params":{"model":"test-model","max_tokens":5,"messages":[{"role":"robot","content":"x"}]}}]})",
      R"({"requests":[{"custom_id":"a","params":{"model":"test-model","max_tokens":5,"tools":[],"messages":[{"role":"user","content":"x"}]}}]})",
  };
  for (const auto& body : bad) {
    auto r = c.call("POST", "/v1/messages/batches", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_EQ(json_string(parse_or_die(r.body), "type"), "error");
  }
  auto no_key =
      test::http("GET", p.url("/v1/messages/batches"), "", {"anthropic-version: 2023-06-01"});
  EXPECT_EQ(no_key.status, 401);
  EXPECT_EQ(json_string(parse_or_die(no_key.body)["error"], "type"), "authentication_error");
  auto bad_version = test::http("GET", p.url("/v1/messages/batches"), "",
                                {"x-api-key: " + p.api_key, "anthropic-version: 1999-01-01"});
  EXPECT_EQ(bad_version.status, 400);
  EXPECT_EQ(c.call("GET", "/v1/messages/batches/msgbatch_nope").status, 404);
  EXPECT_EQ(c.call("GET", "/v1/messages/batches?limit=0").status, 400);
  // Nothing but the one good batch was created.
  ASSERT_TRUE(test::wait_until([&] {
    return parse_or_die(c.call("GET", "/v1/messages/batches").body)["data"].Size() == 1;
  }));
}

TEST(MessageBatchesApi, ListPagesWithAfterIdAndCancelEndsEveryRequestOnce) {
  test::PipelineOptions o;
  o.mock_latency_ms = 700;
  o.extra_config_json = R"("worker_max_inflight": 1)";
  test::Pipeline p(o);
  ASSERT_TRUE(p.ready());
  const Client c = x_api_key(p, p.api_key);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto r = c.call("POST", "/v1/messages/batches", requests_body(4 + i));
    ASSERT_EQ(r.status, 200) << r.body;
    ids.emplace_back(json_string(parse_or_die(r.body), "id").value_or(""));
  }
  ASSERT_TRUE(test::wait_until([&] {
    return parse_or_die(c.call("GET", "/v1/messages/batches?limit=10").body)["data"].Size() == 3;
  }));
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 5; ++page) {
    auto doc = parse_or_die(
        c.call("GET", "/v1/messages/batches?limit=2" + (after.empty() ? "" : "&after_id=" + after))
            .body);
    for (const auto& b : doc["data"].GetArray())
      seen.emplace_back(json_string(b, "id").value_or(""));
    if (!json_bool(doc, "has_more").value_or(false)) break;
    after = std::string(json_string(doc, "last_id").value_or(""));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{ids[2], ids[1], ids[0]}));

  for (const auto& id : ids) {
    auto cancel = c.call("POST", "/v1/messages/batches/" + id + "/cancel");
    ASSERT_EQ(cancel.status, 200) << cancel.body;
    const auto status = json_string(parse_or_die(cancel.body), "processing_status");
    EXPECT_TRUE(status == "canceling" || status == "ended") << cancel.body;
  }
  std::set<std::string> types;
  for (std::size_t b = 0; b < ids.size(); ++b) {
    auto ended = wait_ended(c, ids[b]);
    EXPECT_FALSE(ended["cancel_initiated_at"].IsNull());
    const int n = static_cast<int>(4 + b);
    const JsonValue& counts = ended["request_counts"];
    EXPECT_EQ(json_int(counts, "succeeded").value_or(0) + json_int(counts, "errored").value_or(0) +
                  json_int(counts, "canceled").value_or(0) +
                  json_int(counts, "expired").value_or(0),
              n);
    int duplicates = 0;
    auto lines = test::lines_by_custom_id(
        c.call("GET", "/v1/messages/batches/" + ids[b] + "/results").body, &duplicates);
    EXPECT_EQ(duplicates, 0);
    EXPECT_EQ(lines.size(), static_cast<std::size_t>(n));
    for (const auto& [custom, line] : lines)
      types.insert(std::string(json_string(parse_or_die(line)["result"], "type").value_or("")));
  }
  EXPECT_EQ(types.count("canceled"), 1u);
  // Cancelling an ended batch answers it as it is.
  EXPECT_EQ(c.call("POST", "/v1/messages/batches/" + ids[0] + "/cancel").status, 200);
}

TEST(MessageBatchesApi, AnotherTenantGets404AndChangesNothing) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  const Client mine = x_api_key(p, p.api_key);
  const Client other = x_api_key(p, p.other_api_key);
  auto created = mine.call("POST", "/v1/messages/batches", requests_body(2));
  ASSERT_EQ(created.status, 200);
  const std::string id(json_string(parse_or_die(created.body), "id").value_or(""));
  EXPECT_EQ(other.call("GET", "/v1/messages/batches/" + id).status, 404);
  EXPECT_EQ(other.call("POST", "/v1/messages/batches/" + id + "/cancel").status, 404);
  EXPECT_EQ(other.call("GET", "/v1/messages/batches/" + id + "/results").status, 404);
  EXPECT_EQ(parse_or_die(other.call("GET", "/v1/messages/batches").body)["data"].Size(), 0u);
  auto ended = wait_ended(mine, id);
  EXPECT_TRUE(ended["cancel_initiated_at"].IsNull());
  EXPECT_EQ(json_int(ended["request_counts"], "succeeded"), 2);
  EXPECT_EQ(other.call("DELETE", "/v1/messages/batches/" + id).status, 404);
  EXPECT_EQ(mine.call("GET", "/v1/messages/batches/" + id + "/results").status, 200);
}

}  // namespace
}  // namespace bl
