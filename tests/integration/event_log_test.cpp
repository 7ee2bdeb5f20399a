#include "core/event_log.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/test_env.hpp"

namespace bl {
namespace {

StreamAppend one_event(const Uuid& id, int expected, const std::string& type) {
  return StreamAppend{id, "test", expected, {NewEvent{type, R"({"n":1})", "{}"}}};
}

Status append(pqxx::connection& c, std::vector<StreamAppend> appends) {
  return pg_call([&]() -> Status {
    pqxx::work tx(c);
    auto s = append_events(tx, appends);
    if (s.ok()) tx.commit();
    return s;
  });
}

std::vector<RecordedEvent> read_all(pqxx::connection& c, Checkpoint from = {}, int limit = 10000) {
  pqxx::work tx(c);
  auto events = read_events_after(tx, from, limit);
  tx.commit();
  return events;
}

// The xmin horizon is cluster-wide: a transaction of another test, in another database, may
// hold readers back for a moment. Readers are delayed, never wrong, so wait for the count.
std::vector<RecordedEvent> read_at_least(pqxx::connection& c, std::size_t n) {
  std::vector<RecordedEvent> events;
  test::wait_until([&] {
    events = read_all(c);
    return events.size() >= n;
  });
  return events;
}

class EventLogTest : public ::testing::Test {
 protected:
  test::TestDatabase db;
};

TEST_F(EventLogTest, AppendsAndReadsOneStreamInVersionOrder) {
  auto c = db.connect();
  const Uuid id = Uuid::generate_v7();
  ASSERT_TRUE(
      append(*c,
             {StreamAppend{id, "test", 0, {NewEvent{"A", "{}", "{}"}, NewEvent{"B", "{}", "{}"}}}})
          .ok());
  ASSERT_TRUE(append(*c, {one_event(id, 2, "C")}).ok());
  pqxx::work tx(*c);
  const auto events = read_stream(tx, id);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, "A");
  EXPECT_EQ(events[2].type, "C");
  EXPECT_EQ(events[2].version, 3);
  EXPECT_EQ(events[0].stream_type, "test");
  EXPECT_GT(events[0].tx_id, 0u);
}

TEST_F(EventLogTest, ExpectedVersionConflictIsDistinguishableAndWritesNothing) {
  auto c = db.connect();
  const Uuid id = Uuid::generate_v7();
  ASSERT_TRUE(append(*c, {one_event(id, 0, "A")}).ok());
  const Uuid other = Uuid::generate_v7();
  // A stale expected version, batched with a valid append: the whole transaction fails.
  auto stale = append(*c, {one_event(other, 0, "X"), one_event(id, 0, "B")});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kVersionConflict);
  auto ahead = append(*c, {one_event(id, 5, "B")});
  ASSERT_FALSE(ahead.ok());
  EXPECT_EQ(ahead.error().code, ErrorCode::kVersionConflict);
  pqxx::work tx(*c);
  EXPECT_EQ(read_stream(tx, id).size(), 1u);
  EXPECT_TRUE(read_stream(tx, other).empty());
}

TEST_F(EventLogTest, ConcurrentWritersOnOneStreamAreSeenInVersionOrder) {
  const Uuid id = Uuid::generate_v7();
  {
    auto c = db.connect();
    ASSERT_TRUE(append(*c, {one_event(id, 0, "start")}).ok());
  }
  constexpr int kThreads = 4;
  constexpr int kAppendsEach = 25;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto c = db.connect();
      for (int done = 0; done < kAppendsEach;) {
        int head = 0;
        {
          pqxx::work tx(*c);
          head = read_stream_heads(tx, {id})[id].version;
        }
        auto s = append(*c, {one_event(id, head, "step")});
        if (s.ok()) {
          ++done;
        } else {
          ASSERT_EQ(s.error().code, ErrorCode::kVersionConflict);
          ++conflicts;
        }
      }
    });
  }
  for (auto& t : threads)
    t.join();
  auto c = db.connect();
  const auto events = read_at_least(*c, 1u + kThreads * kAppendsEach);
  ASSERT_EQ(events.size(), 1u + kThreads * kAppendsEach);
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].version, static_cast<int>(i) + 1) << "reader order differs from versions";
  }
  EXPECT_GT(conflicts.load(), 0) << "the writers never raced; the test proved nothing";
}

TEST_F(EventLogTest, ReaderSkipsNothingWhenAnEarlierTransactionCommitsLate) {
  auto early = db.connect();
  auto late = db.connect();
  auto reader = db.connect();
  const Uuid a = Uuid::generate_v7();
  const Uuid b = Uuid::generate_v7();

  pqxx::work tx_early(*early);  // takes its transaction id first ...
  ASSERT_TRUE(append_events(tx_early, {one_event(a, 0, "early")}).ok());
  ASSERT_TRUE(append(*late, {one_event(b, 0, "late")}).ok());  // ... but commits last

  // The late transaction is committed, yet a reader must not pass it while the early one
  // could still commit below it.
  auto seen = read_all(*reader);
  EXPECT_TRUE(seen.empty());

  tx_early.commit();
  seen = read_at_least(*reader, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].type, "early");
  EXPECT_EQ(seen[1].type, "late");
  const Checkpoint cp{seen.back().tx_id, seen.back().position};
  EXPECT_TRUE(read_all(*reader, cp).empty());
}

TEST_F(EventLogTest, PagingFromCheckpointsReadsEachEventOnce) {
  auto c = db.connect();
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(append(*c, {one_event(Uuid::generate_v7(), 0, "e")}).ok());
  read_at_least(*c, 10);  // past the horizon
  Checkpoint cp;
  std::vector<std::int64_t> positions;
  for (;;) {
    auto page = read_all(*c, cp, 3);
    if (page.empty()) break;
    EXPECT_LE(page.size(), 3u);
    for (const auto& e : page)
      positions.push_back(e.position);
    cp = {page.back().tx_id, page.back().position};
  }
  ASSERT_EQ(positions.size(), 10u);
  EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end()));
}

TEST_F(EventLogTest, ReadersOrderTransactionIdsAsNumbersNotText) {
  // Transaction ids 9 and 10 sort the other way round as text; a reader that did so would
  // move its checkpoint past the event of transaction 9 and never read it.
  auto c = db.connect();
  {
    pqxx::work tx(*c);
    for (const char* xid : {"10", "9"}) {
      tx.exec_params0(
          "INSERT INTO events (tx_id, stream_id, stream_type, version, event_type, data) "
          "VALUES ($1::xid8, $2::uuid, 'test', 1, 'e', '{}')",
          xid, Uuid::generate_v7().to_string());
    }
    tx.commit();
  }
  const auto events = read_all(*c);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].tx_id, 9u);
  EXPECT_EQ(events[1].tx_id, 10u);
  const auto after_first = read_all(*c, {events[0].tx_id, events[0].position});
  ASSERT_EQ(after_first.size(), 1u);
  EXPECT_EQ(after_first[0].tx_id, 10u);
}

}  // namespace
}  // namespace bl
