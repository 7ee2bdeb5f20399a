// The fleet registry as operators see it: `batchline status` and GET /v1/admin/status list the
// queues and the live workers (with their worker groups); a worker that stops leaves the list.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "tests/support/job_requests.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

JsonDocument status_of(const test::Pipeline& p) {
  auto r = test::run_batchline(p.env, {"status", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  return doc.ok() ? std::move(*doc) : JsonDocument();
}

std::size_t workers_in(const JsonValue& status) {
  const JsonValue* w = status.IsObject() ? json_member(status, "workers") : nullptr;
  return w != nullptr && w->IsArray() ? w->Size() : 0;
}

TEST(FleetStatus, LiveWorkersAndQueuesAreListed) {
  test::PipelineOptions o;
  o.workers = 0;
  o.extra_models_json =
      R"({"id":"other-model","provider":"openai","base_url":"http://127.0.0.1:{MOCK_PORT}"})";
  test::Pipeline p(o);
  test::RoleEnv group;
  group.set("BL_WORKER_MODELS", "other-model");
  group.set("BL_WORKER_REGISTRY_REFRESH_MS", "200");
  test::Process& grouped = p.start_role("work", group);
  test::RoleEnv fast;
  fast.set("BL_WORKER_REGISTRY_REFRESH_MS", "200");
  p.start_role("work", fast);
  ASSERT_TRUE(p.ready());
  ASSERT_TRUE(test::wait_until([&] { return workers_in(status_of(p)) == 2; }));

  JsonDocument s = status_of(p);
  EXPECT_EQ(json_string(s, "object"), "status");
  EXPECT_EQ(s["queues"].Size(), 6u);  // two models, three bands
  EXPECT_TRUE(s["projections"].IsArray());
  int grouped_seen = 0;
  for (const auto& w : s["workers"].GetArray()) {
    EXPECT_GT(json_int(w, "pid").value_or(0), 0);
    EXPECT_FALSE(json_string(w, "host").value_or("").empty());
    EXPECT_GT(json_int(w, "max_in_flight").value_or(0), 0);
    if (json_int(w, "pid") == grouped.pid()) {
      ++grouped_seen;
      ASSERT_EQ(w["models"].Size(), 1u);
      EXPECT_EQ(as_view(w["models"][0]), "other-model");
    } else {
      EXPECT_EQ(w["models"].Size(), 2u);
    }
  }
  EXPECT_EQ(grouped_seen, 1);

  // Jobs of the grouped model are served (by either worker): the group reads its queue.
  auto r = p.post("/v1/jobs", test::jobs_body(0, 5, "other-model"));
  ASSERT_EQ(r.status, 202) << r.body;
  auto c = p.db.connect();
  ASSERT_TRUE(test::wait_until([&] {
    pqxx::work tx(*c);
    return tx.exec1("SELECT count(*) FROM jobs WHERE status = 'succeeded'")[0].as<int>() == 5;
  }));

  // The HTTP view: an operator may read it, a client key may not.
  auto op = test::run_batchline(p.env, {"keys", "create", "--operator", "--json"});
  ASSERT_EQ(op.exit_code, 0) << op.err;
  const std::string secret(*json_string(*parse_json(op.out), "key"));
  test::HttpResult http;
  ASSERT_TRUE(test::wait_until([&] {
    http = test::http("GET", p.url("/v1/admin/status"), "", {"Authorization: Bearer " + secret});
    return http.status == 200;
  }));
  auto doc = parse_json(http.body);
  ASSERT_TRUE(doc.ok()) << http.body;
  EXPECT_EQ(workers_in(*doc), 2u);
  EXPECT_EQ(p.get("/v1/admin/status").status, 403);

  // A worker stopped with SIGTERM exits 0 and leaves the registry.
  EXPECT_EQ(grouped.stop(), 0);
  EXPECT_EQ(workers_in(status_of(p)), 1u);
}

}  // namespace
}  // namespace bl
