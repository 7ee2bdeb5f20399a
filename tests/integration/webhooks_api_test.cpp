// The webhook endpoints API over HTTP (ingest and projector processes of the real binary).

#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "core/json.hpp"
#include "core/webhook_events.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/queue_probe.hpp"

namespace bl {
namespace {

class WebhooksApiTest : public ::testing::Test {
 protected:
  WebhooksApiTest() : p({.start_roles = false}) {
    p.env.set("BL_WEBHOOK_ALLOW_HTTP", "false");
    p.start_role("ingest");
    p.start_role("project");
  }

  test::HttpResult create(const std::string& body) { return p.post("/v1/webhooks", body); }

  std::string field(const test::HttpResult& r, const char* name) {
    auto doc = parse_json(r.body);
    return doc.ok() ? std::string(json_string(*doc, name).value_or("")) : "";
  }

  // Ids in a list answer.
  std::vector<std::string> listed(const test::HttpResult& r) {
    std::vector<std::string> ids;
    auto doc = parse_json(r.body);
    if (!doc.ok()) return ids;
    for (const auto& item : (*doc)["data"].GetArray())
      ids.emplace_back(json_string(item, "id").value_or(""));
    return ids;
  }

  long long audits(const std::string& outcome) {
    auto c = p.db.connect();
    pqxx::read_transaction tx(*c);
    return tx
        .exec_params1(
            "SELECT count(*) FROM events WHERE event_type = 'CommandAudited'"
            " AND data->>'action' LIKE 'webhooks.%' AND data->>'outcome' = $1",
            outcome)[0]
        .as<long long>();
  }

  test::Pipeline p;
};

TEST_F(WebhooksApiTest, RegistersShowsListsAndDeletesAnEndpoint) {
  ASSERT_TRUE(p.ready());
  auto created = create(
      R"({"url": "https://hooks.example.com/in?t=1", "event_types": ["job.failed",
          "batch.completed", "job.failed"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = field(created, "id");
  const std::string secret = field(created, "secret");
  EXPECT_EQ(id.rfind("whep_", 0), 0u);
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  EXPECT_EQ(base64_decode(secret.substr(6))->size(), 32u);
  EXPECT_EQ(field(created, "url"), "https://hooks.example.com/in?t=1");
  EXPECT_EQ(field(created, "status"), "enabled");

  // Read-your-writes, and the secret is never shown again.
  auto shown = p.get("/v1/webhooks/" + id);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(field(shown, "url"), "https://hooks.example.com/in?t=1");
  EXPECT_EQ(shown.body.find("whsec_"), std::string::npos);
  auto doc = parse_json(shown.body);
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ((*doc)["event_types"].Size(), 2u) << "duplicates are dropped";

  auto second = create(R"({"url": "https://b.example.com/", "event_types": ["job.succeeded"]})");
  ASSERT_EQ(second.status, 201);
  const std::string second_id = field(second, "id");
  ASSERT_TRUE(test::wait_until([&] { return listed(p.get("/v1/webhooks")).size() == 2; }));
  EXPECT_EQ(listed(p.get("/v1/webhooks")), (std::vector<std::string>{second_id, id}));
  auto page = p.get("/v1/webhooks?limit=1");
  EXPECT_EQ(listed(page), std::vector<std::string>{second_id});
  EXPECT_NE(page.body.find(R"("has_more":true)"), std::string::npos) << page.body;
  EXPECT_EQ(listed(p.get("/v1/webhooks?limit=1&after=" + second_id)), std::vector<std::string>{id});
  EXPECT_EQ(p.get("/v1/webhooks?limit=0").status, 400);

  auto deleted = test::http("DELETE", p.url("/v1/webhooks/" + id), "", {p.auth_header()});
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_NE(deleted.body.find(R"("deleted":true)"), std::string::npos);
  EXPECT_EQ(p.get("/v1/webhooks/" + id).status, 404);
  EXPECT_EQ(test::http("DELETE", p.url("/v1/webhooks/" + id), "", {p.auth_header()}).status, 404);
  EXPECT_TRUE(test::wait_until(
      [&] { return listed(p.get("/v1/webhooks")) == std::vector<std::string>{second_id}; }));
  EXPECT_EQ(p.get("/v1/webhooks/" + second_id + "/deliveries").status, 200);

  // One audit event per write: two creations and a deletion; the second deletion rejected.
  EXPECT_TRUE(test::wait_until([&] { return audits("rejected") == 1; }));
  EXPECT_EQ(audits("succeeded"), 3);
}

TEST_F(WebhooksApiTest, RejectsBadEndpointsNamingTheField) {
  ASSERT_TRUE(p.ready());
  struct Case {
    const char* body;
    const char* code;
    const char* param;
  };
  const Case cases[] = {
      {R"({"url": "http://hooks.example.com/", "event_types": ["job.failed"]})", "invalid_url",
       "url"},
      {R"({"url": "ftp://hooks.example.com/", "event_types": ["job.failed"]})", "invalid_url",
       "url"},
      {R"({"url": "https://user:pw@hooks.example.com/", "event_types": ["job.failed"]})",
       "invalid_url", "url"},
      {R"({"url": "https://10.1.2.3/", "event_types": ["job.failed"]})", "invalid_url", "url"},
      {R"({"url": "https://[::1]:8443/", "event_types": ["job.failed"]})", "invalid_url", "url"},
      {R"({"url": "https://localhost/", "event_types": ["job.failed"]})", "invalid_url", "url"},
      {R"({"url": "not a url", "event_types": ["job.failed"]})", "invalid_url", "url"},
      {R"({"event_types": ["job.failed"]})", "missing_field", "url"},
      {R"({"url": "https://a.example.com/", "event_types": []})", "missing_field", "event_types"},
      {R"({"url": "https://a.example.com/", "event_types": ["job.started"]})", "invalid_event_type",
       "event_types"},
      {R"({"url": "https://a.example.com/", "event_types": ["job.failed"], "x": 1})",
       "unknown_field", "x"},
  };
  for (const auto& c : cases) {
    auto r = create(c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    auto doc = parse_json(r.body);
    ASSERT_TRUE(doc.ok()) << r.body;
    EXPECT_EQ(json_string((*doc)["error"], "code"), c.code) << c.body;
    EXPECT_EQ(json_string((*doc)["error"], "param"), c.param) << c.body;
    // The URL is never echoed back.
    EXPECT_EQ(r.body.find("example.com"), std::string::npos) << r.body;
  }
  EXPECT_EQ(create("{").status, 400);
  EXPECT_EQ(test::http("POST", p.url("/v1/webhooks"), "{}").status, 401);
  EXPECT_TRUE(test::wait_until([&] { return audits("rejected") == 12; }));
}

TEST_F(WebhooksApiTest, AnotherWorkspacesEndpointIsAnsweredLikeAMissingOne) {
  ASSERT_TRUE(p.ready());
  // An endpoint of workspace "ws_other", written to the log as its own ingest would.
  const Uuid other = Uuid::generate_v7();
  {
    const Config config = test::config_from(p.env);
    auto data = encode(
        WebhookEndpointCreated{"https://other.example.com/", "whsec_AAAA", {"job.succeeded"}},
        config.keyring, other);
    ASSERT_TRUE(data.ok());
    auto c = p.db.connect();
    pqxx::work tx(*c);
    ASSERT_TRUE(append_events(tx, {{other,
                                    std::string(kWebhookEndpointStreamType),
                                    0,
                                    {{std::string(webhook_event::kEndpointCreated), *data,
                                      encode_metadata({"org_other", "ws_other", "", "", {}})}}}})
                    .ok());
    tx.commit();
  }
  auto mine = create(R"({"url": "https://mine.example.com/", "event_types": ["job.failed"]})");
  ASSERT_EQ(mine.status, 201);
  const std::string other_id = to_api_id(id_prefix::kWebhookEndpoint, other);
  ASSERT_TRUE(test::wait_until([&] { return listed(p.get("/v1/webhooks")).size() == 1; }));
  EXPECT_EQ(listed(p.get("/v1/webhooks")), std::vector<std::string>{field(mine, "id")});
  auto get = p.get("/v1/webhooks/" + other_id);
  auto missing = p.get("/v1/webhooks/whep_00000000000000000000000000000000");
  EXPECT_EQ(get.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(field(get, "error"), field(missing, "error"));
  EXPECT_EQ(p.get("/v1/webhooks/" + other_id + "/deliveries").status, 404);
  EXPECT_EQ(test::http("DELETE", p.url("/v1/webhooks/" + other_id), "", {p.auth_header()}).status,
            404);
  EXPECT_EQ(p.get("/v1/webhooks/garbage").status, 404);
  // Still there for its owner.
  auto c = p.db.connect();
  pqxx::read_transaction tx(*c);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM events WHERE stream_id = $1::uuid",
                            other.to_string())[0]
                .as<int>(),
            1);
}

}  // namespace
}  // namespace bl
