// The projector killed (SIGKILL) while it applies pages: a standby process takes over, and
// the read models it finishes equal a fresh rebuild from the log, with every result counted
// exactly once.

#include <gtest/gtest.h>

#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "projections/projection_rebuild.hpp"
#include "projections/projector.hpp"
#include "tests/support/pipeline.hpp"

namespace bl {
namespace {

constexpr int kJobs = 3000;

void append_finished_jobs(pqxx::connection& conn, int count) {
  const std::string meta = encode_metadata({"org", "ws", "key", "req", std::nullopt});
  const std::string done =
      R"({"attempt":1,"finished_at_ms":1795000000000,"latency_ms":9,"usage":{"input_tokens":3,)"
      R"("output_tokens":4,"cached_tokens":0,"cost_nano_usd":10},"finish_reason":"stop"})";
  pqxx::work tx(conn);
  std::vector<StreamAppend> appends;
  for (int i = 0; i < count; ++i) {
    appends.push_back({Uuid::generate_v7(),
                       std::string(kJobStreamType),
                       0,
                       {{"JobSubmitted", R"({"model":"m","priority":500})", meta},
                        {"JobSucceeded", done, meta}}});
    appends.push_back({Uuid::generate_v7(),
                       "audit",
                       0,
                       {{"CommandAudited", R"({"action":"jobs.create","status":202})", meta}}});
  }
  ASSERT_TRUE(append_events(tx, appends).ok());
  tx.commit();
}

std::string read_models_digest(pqxx::connection& conn) {
  pqxx::read_transaction tx(conn);
  std::string digest;
  for (const char* t : {"jobs", "usage_records", "usage_daily", "audit_records", "batches"}) {
    digest += tx.exec1(std::string("SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, ','"
                                   " ORDER BY r::text)), '') FROM ") +
                       t + " r")[0]
                  .as<std::string>() +
              " ";
  }
  return digest;
}

bool caught_up(pqxx::connection& conn) {
  pqxx::read_transaction tx(conn);
  return tx
      .exec1(
          "SELECT bool_and(c.last_position = (SELECT position FROM events ORDER BY tx_id DESC,"
          " position DESC LIMIT 1)) AND count(*) = 6 FROM projection_checkpoints c"
          " WHERE c.name IN ('jobs', 'batches', 'webhooks', 'usage', 'audit', 'conversations')")[0]
      .as<bool>(false);
}

TEST(ProjectorCrash, StandbyFinishesAfterSigkillAndEqualsRebuild) {
  test::PipelineOptions options;
  options.start_roles = false;
  test::Pipeline p(options);
  auto conn = p.db.connect();
  append_finished_jobs(*conn, kJobs);

  test::RoleEnv small_pages;
  small_pages.set("BL_PROJECTOR_PAGE_SIZE", "20");
  test::Process& leader = p.start_role("project", small_pages);
  ASSERT_TRUE(test::wait_until([&] {
    pqxx::read_transaction tx(*conn);
    return tx.exec1("SELECT count(*) FROM usage_records")[0].as<int>() > 0;
  }));
  test::Process& standby = p.start_role("project", small_pages);
  leader.kill_now();  // mid-run: pages are being applied back to back
  EXPECT_EQ(leader.term_signal(), 9);
  append_finished_jobs(*conn, 10);  // news after the crash reach the standby too
  ASSERT_TRUE(test::wait_until([&] { return caught_up(*conn); }, std::chrono::seconds(120)));
  EXPECT_TRUE(standby.running());
  {
    pqxx::read_transaction tx(*conn);
    EXPECT_EQ(tx.exec1("SELECT sum(requests) FROM usage_daily")[0].as<int>(), kJobs + 10);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM audit_records")[0].as<int>(), kJobs + 10);
  }
  standby.stop();
  const std::string after_crash = read_models_digest(*conn);

  const Config config = test::config_from(p.env);
  StopSignal stop;
  for (auto& projection : all_projections(config)) {
    if (projection->tables().empty()) continue;
    auto rebuilt = rebuild_projection(config, *projection, stop);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
  }
  EXPECT_EQ(read_models_digest(*conn), after_crash);
}

}  // namespace
}  // namespace bl
