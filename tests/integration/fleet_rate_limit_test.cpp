// Fleet-wide rate limits: two worker processes share one model's requests/min bucket in
// Redis. The mock notes when each request arrived; no stretch of arrivals holds more than the
// bucket allows (its burst plus the rate over the stretch, with a generous allowance for the
// time between a grant and the request reaching the mock).

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/json.hpp"
#include "tests/support/job_requests.hpp"
#include "tests/support/pipeline.hpp"

namespace bl {
namespace {

TEST(FleetRateLimit, TwoWorkersShareFiftyRequestsPerMinute) {
  test::PipelineOptions o;
  o.workers = 2;
  // At most 3 deliveries of the model per worker: both workers take part.
  o.extra_models_json =
      R"({"id":"limited","provider":"openai","base_url":"http://127.0.0.1:{MOCK_PORT}",)"
      R"("upstream_model":"up-limited","requests_per_minute":50,"max_concurrency":3})";
  test::Pipeline p(o);
  ASSERT_TRUE(p.ready());
  constexpr int kJobs = 12;
  auto r = p.post("/v1/jobs", test::jobs_body(0, kJobs, "limited"));
  ASSERT_EQ(r.status, 202) << r.body;
  auto c = p.db.connect();
  ASSERT_TRUE(test::wait_until(
      [&] {
        pqxx::work tx(*c);
        return tx.exec1("SELECT count(*) FROM jobs WHERE status = 'succeeded'")[0].as<int>() ==
               kJobs;
      },
      std::chrono::seconds(90), std::chrono::milliseconds(200)));

  auto stats = test::http("GET", "http://127.0.0.1:" + std::to_string(p.mock_port) + "/mock/stats");
  auto doc = parse_json(stats.body);
  ASSERT_TRUE(doc.ok());
  const JsonValue* models = json_member(*doc, "models");
  const JsonValue* model = models ? json_member(*models, "up-limited") : nullptr;
  ASSERT_NE(model, nullptr) << stats.body;
  std::vector<std::int64_t> t;
  for (const auto& v : (*model)["arrivals_ms"].GetArray())
    t.push_back(v.GetInt64());
  ASSERT_EQ(t.size(), static_cast<std::size_t>(kJobs));
  std::sort(t.begin(), t.end());
  constexpr double kPerMs = 50.0 / 60000.0;
  constexpr double kBurst = 1;             // worker_rate_burst_seconds 1: max(1, 50/60)
  constexpr double kGrantToMockMs = 1000;  // allowance, not a measurement of our speed
  for (std::size_t i = 0; i < t.size(); ++i) {
    for (std::size_t j = i; j < t.size(); ++j) {
      const double allowed = kBurst + kPerMs * static_cast<double>(t[j] - t[i] + kGrantToMockMs);
      EXPECT_LE(static_cast<double>(j - i + 1), allowed + 1e-9)
          << "requests " << i << ".." << j << " within " << (t[j] - t[i]) << " ms";
    }
  }
  // Both processes made calls: the limit held across the fleet, not per process.
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(DISTINCT data->>'worker') FROM events"
                     " WHERE event_type = 'JobSucceeded'")[0]
                .as<int>(),
            2);
}

}  // namespace
}  // namespace bl
