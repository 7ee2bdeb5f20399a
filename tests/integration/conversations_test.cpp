// Conversations: jobs that name a conversation become its messages in order; a use_history job
// reaches the provider with the earlier exchanges in front (bounded by the context window);
// the API lists, pages, renames, exports and deletes (content unreadable at once), and another
// workspace sees none of it.

#include <gtest/gtest.h>

#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "core/json.hpp"
#include "projections/conversation_context.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

const Uuid kConversation = *Uuid::parse("0000000000007000800000000000c0de");
const std::string kConversationId = "conv_0000000000007000800000000000c0de";

// Appends a job of the conversation that succeeded, asking `question`, answered `answer`.
Uuid append_exchange(pqxx::connection& conn, const Config& config, const std::string& workspace,
                     const std::string& question, const std::string& answer) {
  const Uuid id = Uuid::generate_v7();
  JobSubmitted s;
  s.model = "test-model";
  s.conversation_id = kConversation;
  s.request_json = R"({"messages":[{"role":"system","content":"be brief"},)"
                   R"({"role":"user","content":")" +
                   question + R"("}],"parameters":{}})";
  JobSucceeded r;
  r.output_json = R"({"role":"assistant","content":")" + answer + R"("})";
  r.finish_reason = "stop";
  const std::string meta = encode_metadata({"org", workspace, "key", "req", std::nullopt});
  pqxx::work tx(conn);
  EXPECT_TRUE(append_events(tx, {{id,
                                  std::string(kJobStreamType),
                                  0,
                                  {{"JobSubmitted", *encode(s, config.keyring, id), meta},
                                   {"JobSucceeded", *encode(r, config.keyring, id), meta}}}})
                  .ok());
  tx.commit();
  return id;
}

std::vector<std::string> contents_of(const std::string& request_json) {
  std::vector<std::string> out;
  auto doc = parse_json(request_json);
  for (const auto& m : (*doc)["messages"].GetArray())
    out.push_back(std::string(json_string(m, "content").value_or("")));
  return out;
}

TEST(ConversationContext, PrependsEarlierExchangesWithinTheContextWindow) {
  test::TestDatabase db;
  auto conn = db.connect();
  Config config;
  config.database_url = db.url();
  (void)config.keyring.add_key("k1", random_bytes(DataKeyring::kKeyBytes));
  (void)config.keyring.set_active("k1");
  ModelConfig model;
  model.id = "test-model";
  model.context_window = 100000;
  config.models.push_back(model);

  append_exchange(*conn, config, "ws", "one", "answer one");
  append_exchange(*conn, config, "ws_other", "foreign", "not ours");
  append_exchange(*conn, config, "ws", "two", "answer two");
  const Uuid follow_up = append_exchange(*conn, config, "ws", "three", "answer three");
  append_exchange(*conn, config, "ws", "later", "after the job");

  JobSubmitted job;
  job.model = "test-model";
  job.conversation_id = kConversation;
  job.use_history = true;
  job.request_json =
      R"({"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"three"}]})";
  const EventMetadata meta{"org", "ws", "key", "req", std::nullopt};
  ASSERT_TRUE(add_conversation_history(*conn, config, follow_up, meta, job).ok());
  EXPECT_EQ(
      contents_of(job.request_json),
      (std::vector<std::string>{"be brief", "one", "answer one", "two", "answer two", "three"}));

  // A small window keeps the newest exchange only.
  config.models[0].context_window = static_cast<int>(
      estimated_tokens(R"({"role":"user","content":"three"}{"role":"system","content":"be brief"})",
                       2) +
      2 * estimated_tokens(R"({"role":"assistant","content":"answer two"})", 1) + 8);
  job.request_json =
      R"({"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"three"}]})";
  ASSERT_TRUE(add_conversation_history(*conn, config, follow_up, meta, job).ok());
  EXPECT_EQ(contents_of(job.request_json),
            (std::vector<std::string>{"be brief", "two", "answer two", "three"}));

  // Without use_history nothing changes.
  job.use_history = false;
  const std::string before = job.request_json;
  ASSERT_TRUE(add_conversation_history(*conn, config, follow_up, meta, job).ok());
  EXPECT_EQ(job.request_json, before);
}

std::string conversation_job(const std::string& content, bool use_history) {
  return R"({"model": "test-model", "conversation_id": ")" + kConversationId +
         R"(", "use_history": )" + (use_history ? "true" : "false") +
         R"(, "messages": [{"role": "user", "content": ")" + content + R"("}]})";
}

JsonDocument parsed(const test::HttpResult& r) {
  auto doc = parse_json(r.body);
  return doc.ok() ? std::move(*doc) : JsonDocument();
}

std::string first_job_id(const test::HttpResult& r) {
  const JsonDocument d = parsed(r);
  return d.IsObject() && d.HasMember("data") ? std::string(*json_string(d["data"][0], "id")) : "";
}

std::string status_of(const test::HttpResult& r) {
  const JsonDocument d = parsed(r);
  return d.IsObject() ? std::string(json_string(d, "status").value_or("")) : "";
}

TEST(ConversationsApi, MessagesInOrderHistoryRenameExportDeleteAndIsolation) {
  test::Pipeline p;
  const auto a = test::make_tenant(p.env, "alpha");
  const auto b = test::make_tenant(p.env, "beta");
  ASSERT_TRUE(p.ready());
  test::ApiClient alpha{p.ingest_port, a.client_key};
  test::ApiClient beta{p.ingest_port, b.client_key};
  // New keys reach ingest with its key cache's next reload (auth_refresh_ms): wait for both.
  ASSERT_TRUE(test::wait_until([&] { return alpha.get("/v1/jobs").status == 200; }));
  ASSERT_TRUE(test::wait_until([&] { return beta.get("/v1/jobs").status == 200; }));

  EXPECT_EQ(alpha
                .post("/v1/jobs", R"({"model": "test-model", "use_history": true,)"
                                  R"( "messages": [{"role": "user", "content": "x"}]})")
                .status,
            400);  // use_history needs a conversation

  const std::string first = first_job_id(alpha.post("/v1/jobs", conversation_job("hello", false)));
  ASSERT_FALSE(first.empty());
  ASSERT_EQ(status_of(alpha.get("/v1/jobs/" + first + "?wait=30")), "succeeded");
  const std::string second = first_job_id(alpha.post("/v1/jobs", conversation_job("again", true)));
  ASSERT_EQ(status_of(alpha.get("/v1/jobs/" + second + "?wait=30")), "succeeded");
  // The provider saw the history: more prompt tokens than the same job without it.
  const std::string alone = first_job_id(
      alpha.post("/v1/jobs",
                 R"({"model": "test-model", "messages": [{"role": "user", "content": "again"}]})"));
  const JsonDocument with = parsed(alpha.get("/v1/jobs/" + second));
  const JsonDocument without = parsed(alpha.get("/v1/jobs/" + alone + "?wait=30"));
  EXPECT_GT(json_int(with["result"]["usage"], "input_tokens").value_or(0),
            json_int(without["result"]["usage"], "input_tokens").value_or(-1));

  ASSERT_TRUE(test::wait_until([&] {
    const JsonDocument c = parsed(alpha.get("/v1/conversations/" + kConversationId));
    return c.IsObject() && json_int(c, "message_count").value_or(0) == 4;
  }));
  const JsonDocument c = parsed(alpha.get("/v1/conversations/" + kConversationId + "?limit=3"));
  const auto& messages = c["messages"]["data"];
  ASSERT_EQ(messages.Size(), 3u);
  EXPECT_EQ(json_string(messages[0], "content").value_or(""), "hello");
  EXPECT_EQ(json_string(messages[1], "role").value_or(""), "assistant");
  EXPECT_EQ(json_string(messages[1], "content").value_or(""), "Echo: hello");
  EXPECT_EQ(json_string(messages[2], "content").value_or(""), "again");
  EXPECT_TRUE(c["messages"]["has_more"].GetBool());
  const std::string last = std::string(*json_string(c["messages"], "last_id"));
  const JsonDocument rest =
      parsed(alpha.get("/v1/conversations/" + kConversationId + "?after=" + last));
  ASSERT_EQ(rest["messages"]["data"].Size(), 1u);
  EXPECT_EQ(json_string(rest["messages"]["data"][0], "content").value_or(""), "Echo: again");

  const JsonDocument list = parsed(alpha.get("/v1/conversations"));
  ASSERT_EQ(list["data"].Size(), 1u);
  EXPECT_EQ(json_string(list["data"][0], "id").value_or(""), kConversationId);

  // Rename; the title is sealed in the log and the read model.
  const auto renamed = test::http("PATCH", alpha.url("/v1/conversations/" + kConversationId),
                                  R"({"title": "secret-title-canary", "metadata": {"k": "v"}})",
                                  {test::bearer(a.client_key)});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(json_string(parsed(renamed), "title").value_or(""), "secret-title-canary");
  ASSERT_TRUE(test::wait_until([&] {
    return json_string(parsed(alpha.get("/v1/conversations/" + kConversationId)), "title")
               .value_or("") == "secret-title-canary";
  }));
  {
    auto conn = p.db.connect();
    pqxx::read_transaction tx(*conn);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM events WHERE data::text LIKE '%secret-title%'"
                       " OR metadata::text LIKE '%secret-title%'")[0]
                  .as<int>(),
              0);
    EXPECT_EQ(
        tx.exec1("SELECT count(*) FROM conversations WHERE title::text LIKE '%secret-title%'")[0]
            .as<int>(),
        0);
  }
  const auto md = alpha.get("/v1/conversations/" + kConversationId + "/export?format=markdown");
  EXPECT_EQ(md.status, 200);
  EXPECT_NE(md.body.find("# secret-title-canary"), std::string::npos);
  EXPECT_NE(md.body.find("Echo: again"), std::string::npos);
  const JsonDocument exported =
      parsed(alpha.get("/v1/conversations/" + kConversationId + "/export?format=json"));
  EXPECT_EQ(exported["messages"].Size(), 4u);

  // Another workspace: 404 everywhere, its list is empty.
  EXPECT_EQ(beta.get("/v1/conversations/" + kConversationId).status, 404);
  EXPECT_EQ(beta.get("/v1/conversations/" + kConversationId + "/export").status, 404);
  EXPECT_EQ(test::http("DELETE", beta.url("/v1/conversations/" + kConversationId), "",
                       {test::bearer(b.client_key)})
                .status,
            404);
  EXPECT_EQ(parsed(beta.get("/v1/conversations"))["data"].Size(), 0u);

  // Delete: gone at once, and the key that sealed its content is destroyed.
  const auto deleted = test::http("DELETE", alpha.url("/v1/conversations/" + kConversationId), "",
                                  {test::bearer(a.client_key)});
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(alpha.get("/v1/conversations/" + kConversationId).status, 404);
  auto conn = p.db.connect();
  ASSERT_TRUE(test::wait_until([&] {
    pqxx::read_transaction tx(*conn);
    return tx.exec1("SELECT count(*) FROM conversation_messages")[0].as<int>() == 0;
  }));
  pqxx::read_transaction tx(*conn);
  EXPECT_TRUE(tx.exec1("SELECT wrapped_key IS NULL FROM conversation_keys")[0].as<bool>());
}

}  // namespace
}  // namespace bl
