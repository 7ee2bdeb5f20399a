// The webhooks projection in process: which events become notifications for which endpoints,
// exactly once, and how attempts are folded.

#include "projections/webhooks_projection.hpp"

#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "core/json.hpp"
#include "core/webhook_events.hpp"
#include "projections/projector.hpp"
#include "tests/support/test_env.hpp"

namespace bl {
namespace {

class WebhooksProjectionTest : public ::testing::Test {
 protected:
  WebhooksProjectionTest() {
    config.database_url = db.url();
    (void)config.keyring.add_key("k1", random_bytes(DataKeyring::kKeyBytes));
    (void)config.keyring.set_active("k1");
  }

  static std::string meta(const std::string& workspace, std::optional<Uuid> batch = std::nullopt) {
    return encode_metadata({"org", workspace, "", "", batch});
  }

  void append(const Uuid& stream, std::string_view type, int expected, std::string_view event,
              const std::string& data, const std::string& metadata) {
    pqxx::work tx(*conn);
    ASSERT_TRUE(
        append_events(
            tx, {{stream, std::string(type), expected, {{std::string(event), data, metadata}}}})
            .ok());
    tx.commit();
  }

  Uuid create_endpoint(const std::string& workspace, std::vector<std::string> types) {
    const Uuid id = Uuid::generate_v7();
    append(id, kWebhookEndpointStreamType, 0, webhook_event::kEndpointCreated,
           *encode(WebhookEndpointCreated{"https://x.example.com/", "whsec_AAAA", std::move(types)},
                   config.keyring, id),
           meta(workspace));
    return id;
  }

  Uuid job_event(const std::string& workspace, std::string_view type,
                 std::optional<Uuid> batch = std::nullopt) {
    const Uuid id = Uuid::generate_v7();
    append(id, kJobStreamType, 0, "JobSubmitted", R"({"model":"m","priority":500})",
           meta(workspace, batch));
    append(id, kJobStreamType, 1, type, "{}", meta(workspace, batch));
    return id;
  }

  // Until the projection has applied every committed event.
  void project() {
    Projector projector(config, stop, {});
    ASSERT_TRUE(test::wait_until([&] {
      while (*projector.project_once(*conn, projection) > 0) {
      }
      pqxx::read_transaction tx(*conn);
      return tx
          .exec1(
              "SELECT (SELECT max(position) FROM events) = (SELECT last_position FROM"
              " projection_checkpoints WHERE name = 'webhooks')")[0]
          .as<bool>(false);
    }));
  }

  struct Delivery {
    std::string endpoint;
    std::string type;
    std::string subject;
    std::string body;
  };
  std::vector<Delivery> deliveries() {
    std::vector<Delivery> out;
    pqxx::read_transaction tx(*conn);
    for (const auto& r : tx.exec("SELECT endpoint_id::text, event_type, subject_id::text, body"
                                 " FROM webhook_deliveries d JOIN outbox o"
                                 " ON o.stream_id = d.delivery_id AND o.kind = 'webhook'"
                                 " ORDER BY d.delivery_id")) {
      out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                     r[3].as<std::string>()});
    }
    return out;
  }

  test::TestDatabase db;
  Config config;
  StopSignal stop;
  PgConnectionPtr conn = db.connect();
  WebhooksProjection projection;
};

TEST_F(WebhooksProjectionTest, NotifiesSubscribedEndpointsOfTheirWorkspaceOnly) {
  const Uuid a = create_endpoint("ws_a", {"job.succeeded"});
  const Uuid both = create_endpoint("ws_a", {"job.succeeded", "job.failed"});
  create_endpoint("ws_b", {"job.succeeded", "job.failed"});
  const Uuid batch = Uuid::generate_v7();
  const Uuid ok = job_event("ws_a", "JobSucceeded", batch);
  const Uuid failed = job_event("ws_a", "JobFailed");
  job_event("ws_c", "JobSucceeded");
  project();
  const auto d = deliveries();
  ASSERT_EQ(d.size(), 3u);
  std::multiset<std::pair<std::string, std::string>> got;
  for (const auto& x : d)
    got.insert({x.endpoint, x.subject});
  EXPECT_EQ(got, (std::multiset<std::pair<std::string, std::string>>{
                     {a.to_string(), ok.to_string()},
                     {both.to_string(), ok.to_string()},
                     {both.to_string(), failed.to_string()}}));
  for (const auto& x : d) {
    auto body = parse_json(x.body);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(json_string(*body, "type"), x.type);
    const JsonValue& data = (*body)["data"];
    if (x.subject == ok.to_string()) {
      EXPECT_EQ(json_string(data, "id"), to_api_id(id_prefix::kJob, ok));
      EXPECT_EQ(json_string(data, "batch_id"), to_api_id(id_prefix::kBatch, batch));
      EXPECT_EQ(json_string(data, "status"), "succeeded");
    }
  }
}

TEST_F(WebhooksProjectionTest, NotifiesWhatHappensWhileTheEndpointExistsOnly) {
  job_event("ws", "JobSucceeded");  // before the endpoint
  const Uuid endpoint = create_endpoint("ws", {"job.succeeded"});
  const Uuid during = job_event("ws", "JobSucceeded");
  append(endpoint, kWebhookEndpointStreamType, 1, webhook_event::kEndpointDeleted, "{}",
         meta("ws"));
  job_event("ws", "JobSucceeded");  // after its deletion
  project();
  const auto d = deliveries();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].subject, during.to_string());
  pqxx::read_transaction tx(*conn);
  EXPECT_EQ(tx.exec1("SELECT status FROM webhook_endpoints")[0].as<std::string>(), "deleted");
}

TEST_F(WebhooksProjectionTest, ADeletionInALaterPageStopsNotifications) {
  const Uuid endpoint = create_endpoint("ws", {"job.failed"});
  const Uuid first = job_event("ws", "JobFailed");
  project();
  append(endpoint, kWebhookEndpointStreamType, 1, webhook_event::kEndpointDeleted, "{}",
         meta("ws"));
  job_event("ws", "JobFailed");
  project();
  const auto d = deliveries();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].subject, first.to_string());
  pqxx::read_transaction tx(*conn);
  EXPECT_EQ(tx.exec1("SELECT status, version FROM webhook_endpoints")[0].as<std::string>(),
            "deleted");
}

TEST_F(WebhooksProjectionTest, NotifiesBatchEventsWithTheBatchIdOfItsApi) {
  create_endpoint("ws", {"batch.completed", "batch.expired"});
  const Uuid openai = Uuid::generate_v7(), anthropic = Uuid::generate_v7();
  append(openai, "batch", 0, "BatchSubmitted", R"({"api":"openai"})", meta("ws"));
  append(openai, "batch", 1, "BatchCompleted", "{}", meta("ws"));
  append(anthropic, "batch", 0, "BatchSubmitted", R"({"api":"anthropic"})", meta("ws"));
  append(anthropic, "batch", 1, "BatchExpired", "{}", meta("ws"));
  const Uuid cancelled = Uuid::generate_v7();
  append(cancelled, "batch", 0, "BatchSubmitted", R"({"api":"openai"})", meta("ws"));
  append(cancelled, "batch", 1, "BatchCancelled", "{}", meta("ws"));  // not subscribed
  project();
  std::map<std::string, std::string> ids;  // type -> data.id
  for (const auto& x : deliveries()) {
    auto body = parse_json(x.body);
    ids[x.type] = std::string(json_string((*body)["data"], "id").value_or(""));
  }
  EXPECT_EQ(ids, (std::map<std::string, std::string>{
                     {"batch.completed", to_api_id(id_prefix::kBatch, openai)},
                     {"batch.expired", to_api_id(id_prefix::kMessageBatch, anthropic)}}));
}

TEST_F(WebhooksProjectionTest, ARebuildSendsNothingTwiceAndNothingOld) {
  create_endpoint("ws", {"job.succeeded"});
  job_event("ws", "JobSucceeded");
  project();
  ASSERT_EQ(deliveries().size(), 1u);
  {
    // Rebuild from the start, with one more event that is two days old.
    pqxx::work tx(*conn);
    tx.exec("DELETE FROM projection_checkpoints WHERE name = 'webhooks'");
    tx.commit();
  }
  const Uuid old = job_event("ws", "JobSucceeded");
  {
    pqxx::work tx(*conn);
    tx.exec_params(
        "UPDATE events SET recorded_at = now() - interval '2 days'"
        " WHERE stream_id = $1::uuid",
        old.to_string());
    tx.commit();
  }
  project();
  EXPECT_EQ(deliveries().size(), 1u);
}

TEST_F(WebhooksProjectionTest, FoldsAttemptsIntoTheDelivery) {
  create_endpoint("ws", {"job.succeeded"});
  job_event("ws", "JobSucceeded");
  project();
  Uuid delivery;
  Uuid endpoint;
  {
    pqxx::read_transaction tx(*conn);
    auto r = tx.exec1("SELECT delivery_id::text, endpoint_id::text FROM webhook_deliveries");
    delivery = *Uuid::parse(r[0].as<std::string>());
    endpoint = *Uuid::parse(r[1].as<std::string>());
  }
  WebhookDeliveryAttempted first{1, endpoint, WebhookOutcome::kRetryScheduled, 503, "non_2xx", 1000,
                                 5, 9000};
  WebhookDeliveryAttempted second{2, endpoint, WebhookOutcome::kDelivered, 204, "", 9000, 5, 0};
  append(delivery, kWebhookDeliveryStreamType, 0, webhook_event::kDeliveryAttempted, encode(first),
         meta("ws"));
  project();
  {
    pqxx::read_transaction tx(*conn);
    auto r = tx.exec1(
        "SELECT status, attempts, last_http_status, last_error, next_attempt_at IS NOT NULL"
        " FROM webhook_deliveries");
    EXPECT_EQ(r[0].as<std::string>(), "pending");
    EXPECT_EQ(r[1].as<int>(), 1);
    EXPECT_EQ(r[2].as<int>(), 503);
    EXPECT_EQ(r[3].as<std::string>(), "non_2xx");
    EXPECT_TRUE(r[4].as<bool>());
  }
  append(delivery, kWebhookDeliveryStreamType, 1, webhook_event::kDeliveryAttempted, encode(second),
         meta("ws"));
  project();
  pqxx::read_transaction tx(*conn);
  auto r = tx.exec1(
      "SELECT status, attempts, last_http_status, last_error IS NULL, next_attempt_at IS NULL"
      " FROM webhook_deliveries");
  EXPECT_EQ(r[0].as<std::string>(), "delivered");
  EXPECT_EQ(r[1].as<int>(), 2);
  EXPECT_EQ(r[2].as<int>(), 204);
  EXPECT_TRUE(r[3].as<bool>());
  EXPECT_TRUE(r[4].as<bool>());
}

}  // namespace
}  // namespace bl
