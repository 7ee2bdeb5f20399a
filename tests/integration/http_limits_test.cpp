// The ingest HTTP edge: explicit limits (headers, bodies per route, JSON depth, connections,
// idle timeouts), TLS, readiness of PostgreSQL and Redis, metrics, and JSON content types.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/raw_http.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

using std::chrono::milliseconds;

test::PipelineOptions ingest_only() {
  test::PipelineOptions o;
  o.relays = 0;
  o.workers = 0;
  o.projectors = 0;
  o.start_roles = false;
  return o;
}

std::string get_request(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

TEST(HttpLimits, OversizeHeadersAndBodiesAreRefused) {
  test::Pipeline p(ingest_only());
  p.start_role("ingest");
  const auto t = test::make_tenant(p.env, "acme");
  test::ApiClient client{p.ingest_port, t.client_key};
  ASSERT_TRUE(test::wait_until([&] { return client.get("/v1/jobs").status == 200; }));

  // Header block above max_header_bytes (16 KiB): refused by the HTTP layer.
  auto big_header = test::http("GET", p.url("/healthz"), "", {"X-Big: " + std::string(20000, 'h')});
  EXPECT_GE(big_header.status, 400);
  EXPECT_LT(big_header.status, 500);

  // A body above the route's own limit (4 KiB for job commands): 413 in the envelope.
  auto big_command = client.post("/v1/jobs/job_0190aaaabbbbccccdddd111122223333/cancel",
                                 "{\"pad\": \"" + std::string(5000, 'p') + "\"}");
  EXPECT_EQ(big_command.status, 413);
  EXPECT_EQ(big_command.headers["content-type"], "application/json");
  auto doc = parse_json(big_command.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(json_string((*doc)["error"], "code"), "request_too_large");

  // A body above max_body_bytes (8 MiB) on a route without a larger limit of its own.
  auto huge = client.post("/v1/jobs", std::string(9 << 20, ' '));
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(huge.headers["content-type"], "application/json");

  // The server keeps serving.
  EXPECT_EQ(client.get("/v1/jobs").status, 200);
}

TEST(HttpLimits, ConnectionsAboveTheLimitWaitForAFreeSlot) {
  test::Pipeline p(ingest_only());
  test::RoleEnv limited;
  limited.set("BL_MAX_CONNECTIONS", "3");
  p.start_role("ingest", limited);
  ASSERT_TRUE(test::wait_until([&] { return test::http("GET", p.url("/healthz")).status == 200; }));

  std::vector<std::unique_ptr<test::RawConnection>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<test::RawConnection>(p.ingest_port));
    ASSERT_TRUE(idle.back()->connected());
  }
  ASSERT_TRUE(test::wait_until([&] {
    return idle[0]->send(get_request("/healthz")) &&
           test::status_of_raw(idle[0]->receive(milliseconds(2000))) == 200;
  }));
  test::RawConnection fourth(p.ingest_port);
  ASSERT_TRUE(fourth.send(get_request("/healthz")));
  EXPECT_EQ(fourth.receive(milliseconds(1000)), "") << "served beyond the connection limit";
  idle[1]->close();
  EXPECT_EQ(test::status_of_raw(fourth.receive(milliseconds(10000))), 200);
}

TEST(HttpLimits, ASlowClientIsCutOffAndStallsNobody) {
  test::Pipeline p(ingest_only());
  test::RoleEnv quick;
  quick.set("BL_HTTP_TIMEOUT_S", "1");
  p.start_role("ingest", quick);
  p.start_role("project");
  const auto t = test::make_tenant(p.env, "acme");
  test::ApiClient client{p.ingest_port, t.client_key};
  ASSERT_TRUE(test::wait_until([&] { return client.get("/v1/jobs").status == 200; }));

  test::RawConnection slow(p.ingest_port);
  ASSERT_TRUE(slow.send("POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n"));
  // Others are served meanwhile, and the dribbling client is dropped.
  EXPECT_EQ(client.get("/v1/jobs").status, 200);
  EXPECT_TRUE(slow.closed_by_peer(milliseconds(30000)));

  // A long poll is not cut by the idle timeout: the server, not the client, is waiting.
  auto submitted = client.post("/v1/jobs", R"({"model": "test-model", "messages": [{"role":)"
                                           R"( "user", "content": "x"}]})");
  ASSERT_EQ(submitted.status, 202);
  const std::string id = std::string(*json_string((*parse_json(submitted.body))["data"][0], "id"));
  auto polled = client.get("/v1/jobs/" + id + "?wait=3");
  EXPECT_EQ(polled.status, 200);
  EXPECT_NE(polled.body.find("\"queued\""), std::string::npos);
}

TEST(HttpLimits, TlsWhenConfigured) {
  test::Pipeline p(ingest_only());
  std::string cert, key;
  ASSERT_TRUE(test::make_test_certificate(test::scratch_dir(), &cert, &key));
  test::RoleEnv tls;
  tls.set("BL_TLS_CERT_FILE", cert);
  tls.set("BL_TLS_KEY_FILE", key);
  p.start_role("ingest", tls);
  const auto t = test::make_tenant(p.env, "acme");
  const std::string base = "https://127.0.0.1:" + std::to_string(p.ingest_port);
  ASSERT_TRUE(test::wait_until(
      [&] { return test::http("GET", base + "/healthz", "", {}, cert).status == 200; }));
  ASSERT_TRUE(test::wait_until([&] {
    return test::http("GET", base + "/v1/jobs", "", {test::bearer(t.client_key)}, cert).status ==
           200;
  }));
  auto listed = test::http("GET", base + "/v1/jobs", "", {test::bearer(t.client_key)}, cert);
  EXPECT_EQ(listed.headers["content-type"], "application/json");
  // The port speaks TLS only.
  EXPECT_EQ(test::http("GET", p.url("/healthz")).status, 0);
  // A wrong certificate file stops the role at start.
  test::RoleEnv broken = tls;
  broken.set("BL_TLS_CERT_FILE", test::scratch_dir() + "/missing.pem");
  broken.set("BL_LISTEN", "127.0.0.1:" + std::to_string(test::free_port()));
  auto& bad = p.start_role("ingest", broken);
  EXPECT_TRUE(test::wait_until([&] { return !bad.running(); }));
  EXPECT_NE(bad.stop(), 0);
}

TEST(HttpLimits, ReadinessNeedsPostgresAndRedis) {
  test::Pipeline p(ingest_only());
  p.start_role("ingest");
  ASSERT_TRUE(test::wait_until([&] { return test::http("GET", p.url("/healthz")).status == 200; }));
  auto ready = test::http("GET", p.url("/readyz"));
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.headers["content-type"], "application/json");

  const int port = test::free_port();
  test::RoleEnv no_redis;
  no_redis.set("BL_LISTEN", "127.0.0.1:" + std::to_string(port));
  no_redis.set("BL_REDIS_URL", "redis://127.0.0.1:" + std::to_string(test::free_port()));
  p.start_role("ingest", no_redis);
  const std::string other = "http://127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(
      test::wait_until([&] { return test::http("GET", other + "/healthz").status == 200; }));
  auto not_ready = test::http("GET", other + "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.headers["retry-after"], "1");
  auto doc = parse_json(not_ready.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(json_string((*doc)["error"]["details"], "redis"), "unreachable");
  EXPECT_EQ(json_string((*doc)["error"]["details"], "postgresql"), "ok");
}

TEST(HttpLimits, MetricsCountRequestsByRouteAndStatus) {
  test::Pipeline p(ingest_only());
  p.start_role("ingest");
  const auto t = test::make_tenant(p.env, "acme");
  test::ApiClient client{p.ingest_port, t.client_key};
  ASSERT_TRUE(test::wait_until([&] { return client.get("/v1/jobs").status == 200; }));
  ASSERT_EQ(client
                .post("/v1/jobs", R"({"model": "test-model", "messages": [{"role": "user",)"
                                  R"( "content": "x"}]})")
                .status,
            202);
  EXPECT_EQ(test::http("GET", p.url("/v1/jobs")).status, 401);
  auto metrics = test::http("GET", p.url("/metrics"));
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers["content-type"], "text/plain; version=0.0.4");
  const std::string& m = metrics.body;
  EXPECT_NE(
      m.find(
          R"(bl_http_requests_total{server="ingest",method="POST",route="/v1/jobs",status="202"} 1)"),
      std::string::npos)
      << m;
  EXPECT_NE(
      m.find(
          R"(bl_http_requests_total{server="ingest",method="GET",route="/v1/jobs",status="401"})"),
      std::string::npos);
  EXPECT_NE(
      m.find(
          R"(bl_http_request_seconds_bucket{server="ingest",method="POST",route="/v1/jobs",le=")"),
      std::string::npos);
  EXPECT_NE(m.find("bl_ingest_jobs_accepted_total 1"), std::string::npos);
  EXPECT_NE(m.find("bl_http_connections_open{server=\"ingest\"}"), std::string::npos);
  // No tenant data in metrics.
  EXPECT_EQ(m.find(t.client_key_id), std::string::npos);
  EXPECT_EQ(m.find(t.workspace_id), std::string::npos);
}

TEST(HttpLimits, EveryJsonAnswerSaysSo) {
  test::Pipeline p(ingest_only());
  p.start_role("ingest");
  ASSERT_TRUE(test::wait_until([&] { return test::http("GET", p.url("/healthz")).status == 200; }));
  for (const auto& r :
       {test::http("GET", p.url("/nowhere")), test::http("DELETE", p.url("/v1/jobs")),
        test::http("GET", p.url("/v1/jobs")), test::http("GET", p.url("/healthz")),
        p.get("/v1/jobs/job_x"), p.get("/v1/jobs?limit=0")}) {
    EXPECT_EQ(r.headers.at("content-type"), "application/json") << r.status << " " << r.body;
    EXPECT_TRUE(parse_json(r.body).ok()) << r.body;
  }
}

}  // namespace
}  // namespace bl
