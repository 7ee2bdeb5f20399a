// The projection machinery in process: a late-committing transaction is not skipped, a result
// offered twice is counted once, a rebuild swaps in an equal read model while reads go on,
// and a fixed event log (tests/golden) replays into the committed read models.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "projections/audit_projection.hpp"
#include "projections/projection_rebuild.hpp"
#include "projections/projector.hpp"
#include "projections/usage_projection.hpp"
#include "tests/support/test_env.hpp"

namespace bl {
namespace {

const char* const kGoldenTables[] = {"jobs", "usage_records", "usage_daily", "audit_records"};

class ProjectionsTest : public ::testing::Test {
 protected:
  ProjectionsTest() {
    config.database_url = db.url();
    (void)config.keyring.add_key("k1", random_bytes(DataKeyring::kKeyBytes));
    (void)config.keyring.set_active("k1");
    config.projector_page_size = 7;  // many pages even for small logs
    config.projector_rebuild_page_size = 5;
  }

  static std::string meta(const std::string& org, const std::string& ws) {
    return encode_metadata({org, ws, "key_" + ws, "req_1", std::nullopt});
  }

  // A job of `org`/`ws` that succeeded with `tokens` input tokens, and its audit record.
  std::vector<StreamAppend> finished_job(const std::string& org, const std::string& ws,
                                         int tokens) {
    const Uuid id = Uuid::generate_v7();
    JsonWriter done;
    done.begin_object()
        .field("attempt", 1)
        .field("finished_at_ms", std::int64_t{1795000000000})
        .field("latency_ms", 10);
    done.key("usage")
        .begin_object()
        .field("input_tokens", tokens)
        .field("output_tokens", 2)
        .field("cached_tokens", 0)
        .field("cost_nano_usd", 100)
        .end_object();
    done.field("finish_reason", "stop").end_object();
    return {{id,
             std::string(kJobStreamType),
             0,
             {{"JobSubmitted", R"({"model":"m","priority":500})", meta(org, ws)},
              {"JobSucceeded", done.str(), meta(org, ws)}}},
            {Uuid::generate_v7(),
             "audit",
             0,
             {{"CommandAudited",
               R"({"action":"jobs.create","target_type":"job","outcome":"succeeded","status":202})",
               meta(org, ws)}}}};
  }

  void append(pqxx::connection& c, const std::vector<StreamAppend>& appends) {
    pqxx::work tx(c);
    ASSERT_TRUE(append_events(tx, appends).ok());
    tx.commit();
  }

  int project_all(Projection& p) {
    Projector projector(config, stop, {});
    int total = 0;
    for (;;) {
      auto n = projector.project_once(*conn, p);
      EXPECT_TRUE(n.ok());
      if (!n.ok() || *n == 0) return total;
      total += *n;
    }
  }

  // Applies pages until the projection has every event of the log. Transactions of other
  // tests on this PostgreSQL hold back the snapshot xmin for a moment, so wait for it.
  void catch_up(Projection& p) {
    const std::string sql =
        "SELECT coalesce((SELECT last_position FROM projection_checkpoints WHERE name = '" +
        std::string(p.name()) +
        "') = (SELECT position FROM events ORDER BY tx_id DESC, position DESC LIMIT 1), false)";
    ASSERT_TRUE(test::wait_until([&] {
      project_all(p);
      return query(sql) == "t";
    }));
  }

  std::string query(const std::string& sql) {
    pqxx::read_transaction tx(*conn);
    return tx.exec1(sql)[0].as<std::string>("");
  }

  // Every golden table as pretty JSON, rows ordered by their primary key.
  std::string read_models_json() {
    pqxx::work tx(*conn);
    tx.exec("SET LOCAL TIME ZONE 'UTC'");
    std::string sql = "SELECT jsonb_pretty(jsonb_build_object(";
    bool first = true;
    for (const char* t : kGoldenTables) {
      sql += std::string(first ? "" : ", ") + "'" + t +
             "', (SELECT coalesce(jsonb_agg(to_jsonb(r)" + " ORDER BY r::text), '[]') FROM " + t +
             " r)";
      first = false;
    }
    return tx.exec1(sql + "))")[0].as<std::string>() + "\n";
  }

  test::TestDatabase db;
  PgConnectionPtr conn = db.connect();
  Config config;
  StopSignal stop;
};

TEST_F(ProjectionsTest, LateCommittingTransactionIsNotSkipped) {
  auto late = db.connect();
  pqxx::work slow(*late);
  ASSERT_TRUE(append_events(slow, finished_job("org", "ws_late", 5)).ok());  // xid taken first
  append(*conn, finished_job("org", "ws_early", 7));                         // commits first

  UsageProjection usage;
  EXPECT_EQ(project_all(usage), 0);  // the early commit waits behind the running transaction
  slow.commit();
  catch_up(usage);
  EXPECT_EQ(query("SELECT count(*) FROM usage_records"), "2");
  EXPECT_EQ(query("SELECT sum(input_tokens) FROM usage_daily"), "12");
}

// The feed orders by the xid8 column, never by its text (where "10" sorts before "9" and a
// page would have to sort the whole log).
TEST_F(ProjectionsTest, FeedOrdersTransactionIdsAsNumbers) {
  {
    pqxx::work tx(*conn);
    for (const char* xid : {"10", "9"}) {
      tx.exec_params(
          "INSERT INTO events (tx_id, stream_id, stream_type, version, event_type, data)"
          " VALUES ($1::xid8, gen_random_uuid(), 'audit', 1, 'CommandAudited', '{}')",
          std::string(xid));
    }
    tx.commit();
  }
  pqxx::work tx(*conn);
  const auto events = read_events_after(tx, {}, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].tx_id, 9u);
  EXPECT_EQ(events[1].tx_id, 10u);
  EXPECT_EQ(read_events_after(tx, {9, events[0].position}, 10).size(), 1u);
}

TEST_F(ProjectionsTest, ResultOfferedTwiceIsCountedOnce) {
  append(*conn, finished_job("org", "ws", 11));
  std::vector<RecordedEvent> events;
  ASSERT_TRUE(test::wait_until([&] {
    pqxx::work tx(*conn);
    events = read_events_after(tx, {}, 100);
    return events.size() == 3;
  }));
  UsageProjection usage;
  AuditProjection audit;
  for (int replay = 0; replay < 2; ++replay) {
    pqxx::work tx(*conn);
    usage.apply(tx, events);
    audit.apply(tx, events);
    tx.commit();
  }
  EXPECT_EQ(query("SELECT count(*) || '/' || sum(input_tokens) FROM usage_records"), "1/11");
  EXPECT_EQ(query("SELECT requests || '/' || input_tokens FROM usage_daily"), "1/11");
  EXPECT_EQ(query("SELECT count(*) FROM audit_records"), "1");
}

TEST_F(ProjectionsTest, RebuildSwapsInAnEqualReadModelWhileReadsGoOn) {
  constexpr int kJobs = 40;
  for (int i = 0; i < kJobs; ++i)
    append(*conn, finished_job(i % 2 ? "org_a" : "org_b", "ws_" + std::to_string(i % 3), i));
  auto projections = all_projections(config);
  for (auto& p : projections)
    catch_up(*p);
  const std::string before = read_models_json();
  const std::string cp_before =
      query("SELECT last_position::text FROM projection_checkpoints WHERE name = 'usage'");

  // Readers see the whole read model at every moment of the rebuild.
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, incomplete{0};
  std::thread reader([&] {
    auto c = db.connect();
    while (!done) {
      pqxx::read_transaction tx(*c);
      const auto row = tx.exec1(
          "SELECT (SELECT count(*) FROM usage_records), (SELECT count(*) FROM audit_records),"
          " (SELECT count(*) FROM jobs)");
      if (row[0].as<int>() != kJobs || row[1].as<int>() != kJobs || row[2].as<int>() != kJobs) {
        ++incomplete;
      }
      ++reads;
    }
  });
  for (const char* name : {"usage", "audit", "jobs"}) {
    auto p = projection_named(config, name);
    auto report = rebuild_projection(config, *p, stop);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->events, kJobs * 3);
  }
  ASSERT_TRUE(test::wait_until([&] { return reads > 0; }));
  done = true;
  reader.join();
  EXPECT_EQ(incomplete, 0);
  EXPECT_EQ(read_models_json(), before);
  EXPECT_EQ(query("SELECT last_position::text FROM projection_checkpoints WHERE name = 'usage'"),
            cp_before);
  EXPECT_EQ(query("SELECT count(*) FROM projection_checkpoints WHERE name LIKE 'rebuild:%'"), "0");
  // The swapped-in tables keep their index names and take new pages.
  EXPECT_EQ(query("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname IN"
                  " ('usage_records_pkey', 'usage_daily_workspace', 'jobs_workspace_status')"),
            "3");
  append(*conn, finished_job("org_a", "ws_new", 1));
  UsageProjection usage;
  catch_up(usage);
  EXPECT_EQ(query("SELECT count(*) FROM usage_records"), std::to_string(kJobs + 1));
}

TEST_F(ProjectionsTest, RebuildRefusesProjectionsWithSideEffects) {
  auto webhooks = projection_named(config, "webhooks");
  ASSERT_NE(webhooks, nullptr);
  EXPECT_FALSE(rebuild_projection(config, *webhooks, stop).ok());
  EXPECT_EQ(projection_named(config, "no-such"), nullptr);
}

// tests/golden/event_log.jsonl replays into tests/golden/read_models.json, live and rebuilt.
// BL_UPDATE_GOLDEN=1 rewrites the expected file.
TEST_F(ProjectionsTest, GoldenEventLogReplaysIntoExpectedReadModels) {
  const std::string dir = std::string(BL_SOURCE_DIR) + "/tests/golden/";
  {
    std::ifstream in(dir + "event_log.jsonl");
    ASSERT_TRUE(in.good());
    pqxx::work tx(*conn);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      tx.exec_params(
          "INSERT INTO events (stream_id, stream_type, version, event_type, data, metadata,"
          " recorded_at) SELECT (e->>'stream_id')::uuid, e->>'stream_type',"
          " (e->>'version')::int, e->>'event_type', e->'data', e->'metadata',"
          " to_timestamp((e->>'recorded_at_ms')::bigint / 1000.0) FROM (SELECT $1::jsonb e) x",
          line);
    }
    tx.commit();
  }
  auto projections = all_projections(config);
  for (auto& p : projections)
    catch_up(*p);
  const std::string live = read_models_json();
  if (std::getenv("BL_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(dir + "read_models.json") << live;
  }
  std::ifstream expected_in(dir + "read_models.json");
  std::stringstream expected;
  expected << expected_in.rdbuf();
  EXPECT_EQ(live, expected.str());
  for (auto& p : projections) {
    if (p->tables().empty()) continue;
    ASSERT_TRUE(rebuild_projection(config, *p, stop).ok());
  }
  EXPECT_EQ(read_models_json(), expected.str());
}

}  // namespace
}  // namespace bl
