// Webhooks end to end: an endpoint registered over the API, jobs that succeed and fail, the
// relay role sending signed notifications to a receiver that checks every signature with its
// own implementation (tests/support/webhook_receiver.py) and answers the first attempt of each
// with a 500, so every notification is retried and each attempt is recorded.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/json.hpp"
#include "tests/support/batch_client.hpp"
#include "tests/support/job_requests.hpp"
#include "tests/support/models_config.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/queue_probe.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace bl {
namespace {

struct Registered {
  std::string id;
  std::string secret;
};

Registered register_endpoint(test::Pipeline& p, const std::string& url,
                             const std::string& types_json) {
  auto r =
      p.post("/v1/webhooks", R"({"url": ")" + url + R"(", "event_types": )" + types_json + "}");
  EXPECT_EQ(r.status, 201) << r.body;
  auto doc = parse_json(r.body);
  if (!doc.ok()) return {};
  return {std::string(json_string(*doc, "id").value_or("")),
          std::string(json_string(*doc, "secret").value_or(""))};
}

TEST(WebhookDelivery, SignedNotificationsAreVerifiedIndependentlyAndRetriedAfterA500) {
  test::Pipeline p({.start_roles = false});
  p.env.set("BL_CONFIG", test::write_config_with_unreachable_model(p.mock_port));
  p.env.set("BL_WORKER_MAX_ATTEMPTS", "1");
  p.env.set("BL_WEBHOOK_ALLOW_HTTP", "true");
  p.env.set("BL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true");
  p.env.set("BL_WEBHOOK_RETRY_BASE_MS", "200");
  p.env.set("BL_WEBHOOK_RETRY_MAX_MS", "1000");
  const test::AdminPort relay_admin;
  p.start_role("ingest");
  p.start_role("relay", relay_admin.env());
  p.start_role("work");
  p.start_role("project");
  ASSERT_TRUE(p.ready());

  const int port = test::free_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hooks/batchline";
  const Registered endpoint = register_endpoint(p, url, R"(["job.succeeded", "job.failed"])");
  ASSERT_EQ(endpoint.secret.rfind("whsec_", 0), 0u);
  const test::WebhookReceiver receiver(port, endpoint.secret, 1);
  ASSERT_TRUE(receiver.ready());

  auto ok = p.post("/v1/jobs", test::jobs_body(0, 3));
  ASSERT_EQ(ok.status, 202) << ok.body;
  auto bad = p.post("/v1/jobs", test::jobs_body(3, 1, "unreachable-model"));
  ASSERT_EQ(bad.status, 202) << bad.body;
  std::map<std::string, std::string> expected;  // job id -> notification type
  for (const auto& id : test::job_ids(ok.body))
    expected[id] = "job.succeeded";
  expected[test::job_ids(bad.body).at(0)] = "job.failed";

  // Every notification delivered: answered 200 once, after a 500.
  ASSERT_TRUE(test::wait_until(
      [&] {
        int delivered = 0;
        for (const auto& r : receiver.received())
          delivered += r.answered == 200 ? 1 : 0;
        return delivered >= 4;
      },
      std::chrono::seconds(60)));

  std::map<std::string, std::vector<test::ReceivedWebhook>> by_id;
  for (const auto& r : receiver.received())
    by_id[r.webhook_id].push_back(r);
  ASSERT_EQ(by_id.size(), 4u);
  std::map<std::string, std::string> notified;  // job id -> type
  for (const auto& [id, requests] : by_id) {
    EXPECT_EQ(id.rfind("evt_", 0), 0u) << id;
    ASSERT_EQ(requests.size(), 2u) << id;
    EXPECT_EQ(requests[0].answered, 500);
    EXPECT_EQ(requests[1].answered, 200);
    EXPECT_EQ(requests[0].body, requests[1].body) << "a retry sends the same body";
    for (const auto& r : requests) {
      EXPECT_TRUE(r.signature_valid) << id;
      EXPECT_TRUE(r.timestamp_fresh) << id;
      EXPECT_EQ(r.content_type, "application/json");
      // Ids only: neither the prompt nor the completion.
      EXPECT_EQ(r.body.find("question"), std::string::npos) << r.body;
      EXPECT_EQ(r.body.find("Echo"), std::string::npos) << r.body;
    }
    auto doc = parse_json(requests[1].body);
    ASSERT_TRUE(doc.ok());
    EXPECT_EQ(json_string(*doc, "id"), id);
    EXPECT_EQ(json_string(*doc, "object"), "event");
    const JsonValue* data = json_member(*doc, "data");
    ASSERT_NE(data, nullptr);
    notified[std::string(json_string(*data, "id").value_or(""))] =
        std::string(json_string(*doc, "type").value_or(""));
  }
  EXPECT_EQ(notified, expected);

  // Each attempt is recorded: in the log, in the delivery list and in the metrics.
  EXPECT_EQ(test::count_events(p.db, "WebhookDeliveryAttempted"), 8);
  ASSERT_TRUE(test::wait_until([&] {
    auto r = p.get("/v1/webhooks/" + endpoint.id + "/deliveries");
    auto doc = parse_json(r.body);
    if (r.status != 200 || !doc.ok()) return false;
    int done = 0;
    for (const auto& d : (*doc)["data"].GetArray()) {
      done += json_string(d, "status") == "delivered" && json_int(d, "attempts") == 2 &&
              json_int(d, "last_http_status") == 200;
    }
    return done == 4;
  }));
  const std::string metrics = relay_admin.metrics();
  EXPECT_EQ(test::metric_value(metrics, "bl_webhook_attempts_total", "outcome=\"delivered\""), 4);
  EXPECT_EQ(test::metric_value(metrics, "bl_webhook_attempts_total", "outcome=\"retry_scheduled\""),
            4);
  auto c = p.db.connect();
  {
    pqxx::read_transaction tx(*c);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox")[0].as<int>(), 0);
  }

  // The secret and the URL are sealed at rest and never logged.
  const std::string dump = test::run_command("pg_dump '" + p.db.url() + "'");
  ASSERT_NE(dump.find("WebhookEndpointCreated"), std::string::npos) << "the dump did not work";
  const std::string secret_part = endpoint.secret.substr(6);
  EXPECT_EQ(dump.find(secret_part), std::string::npos);
  EXPECT_EQ(dump.find("/hooks/batchline"), std::string::npos);
  for (const auto& proc : p.processes) {
    const std::string log = test::read_file(proc->log_path());
    EXPECT_EQ(log.find(secret_part), std::string::npos) << proc->log_path();
    EXPECT_EQ(log.find("/hooks/batchline"), std::string::npos) << proc->log_path();
  }
}

TEST(WebhookDelivery, ASlowEndpointCannotHoldUpAnotherOnes) {
  test::Pipeline p({.start_roles = false});
  p.env.set("BL_WEBHOOK_ALLOW_HTTP", "true");
  p.env.set("BL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true");
  p.env.set("BL_WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT", "2");
  for (const char* role : {"ingest", "relay", "work", "project"})
    p.start_role(role);
  ASSERT_TRUE(p.ready());
  const int slow_port = test::free_port(), fast_port = test::free_port();
  const Registered slow = register_endpoint(
      p, "http://127.0.0.1:" + std::to_string(slow_port) + "/slow", R"(["job.succeeded"])");
  const Registered fast = register_endpoint(
      p, "http://127.0.0.1:" + std::to_string(fast_port) + "/fast", R"(["job.succeeded"])");
  const test::WebhookReceiver slow_receiver(slow_port, slow.secret, 0, 1500);
  const test::WebhookReceiver fast_receiver(fast_port, fast.secret, 0);
  ASSERT_TRUE(slow_receiver.ready());
  ASSERT_TRUE(fast_receiver.ready());
  // Every job notifies both endpoints.
  ASSERT_EQ(p.post("/v1/jobs", test::jobs_body(0, 8)).status, 202);
  ASSERT_TRUE(test::wait_until([&] { return fast_receiver.received().size() == 8; }));
  // Each slow answer takes 1.5 s and at most two are in flight: the fast endpoint
  // got all eight while the slow one still had its first two (four if a round ended).
  EXPECT_LE(slow_receiver.received().size(), 4u);
  EXPECT_TRUE(test::wait_until([&] { return slow_receiver.received().size() == 8; },
                               std::chrono::seconds(60)));
}

TEST(WebhookDelivery, ACompletedBatchNotifiesBatchCompletedOnce) {
  test::Pipeline p({.start_roles = false});
  p.env.set("BL_WEBHOOK_ALLOW_HTTP", "true");
  p.env.set("BL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true");
  for (const char* role : {"ingest", "relay", "work", "project"})
    p.start_role(role);
  ASSERT_TRUE(p.ready());
  const int port = test::free_port();
  const Registered endpoint = register_endpoint(
      p, "http://127.0.0.1:" + std::to_string(port) + "/batches", R"(["batch.completed"])");
  const test::WebhookReceiver receiver(port, endpoint.secret, 0);
  ASSERT_TRUE(receiver.ready());

  const std::string file = test::upload_batch_file(p, test::batch_lines(3));
  ASSERT_FALSE(file.empty());
  auto created = test::create_batch(p, file);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string batch = std::string(*json_string(test::parse_or_die(created.body), "id"));
  test::wait_for_batch_status(p, batch, "completed");

  ASSERT_TRUE(test::wait_until([&] { return receiver.received().size() == 1; }));
  const test::ReceivedWebhook got = receiver.received()[0];
  EXPECT_TRUE(got.signature_valid);
  EXPECT_EQ(got.answered, 200);
  auto doc = parse_json(got.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(json_string(*doc, "type"), "batch.completed");
  EXPECT_EQ(json_string((*doc)["data"], "id"), batch);
  EXPECT_EQ(json_string((*doc)["data"], "object"), "batch");
  // Its three jobs succeeded, but the endpoint asked for batch events only.
  EXPECT_EQ(test::count_events(p.db, "JobSucceeded"), 3);
  EXPECT_EQ(receiver.received().size(), 1u);
}

}  // namespace
}  // namespace bl
