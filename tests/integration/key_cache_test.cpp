// The ingest node's API key cache against a real database, with its clocks under the test's
// control: incremental reloads, revocation, expiry, late commits and the staleness guard.

#include "ingest/key_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "ingest/api_key.hpp"
#include "ingest/key_store.hpp"
#include "ingest/tenant_store.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

constexpr const char* kPepper = "cache-test-pepper-0123456789";

struct CacheFixture {
  test::TestDatabase db;
  DataKeyring ring;
  std::atomic<std::int64_t> steady{1000000};
  std::atomic<std::int64_t> wall{1700000000000};
  KeyCache cache;
  PgConnectionPtr conn;
  std::string workspace;

  CacheFixture() : cache(options()) {
    (void)ring.add_key("k1", std::string(32, 'k'));
    (void)ring.set_active("k1");
    conn = db.connect();
    pqxx::work tx(*conn);
    auto org = create_organization(tx, ring, "org", {});
    workspace = create_workspace(tx, ring, org->id, "ws", {})->id;
    tx.commit();
  }

  KeyCacheOptions options() {
    KeyCacheOptions o;
    o.database_url = db.url();
    o.max_staleness_ms = 1000;
    o.steady_ms = [this] { return steady.load(); };
    o.wall_ms = [this] { return wall.load(); };
    return o;
  }

  CreatedApiKey create(std::optional<std::int64_t> expires_ms = std::nullopt) {
    pqxx::work tx(*conn);
    NewApiKey k;
    k.workspace_id = workspace;
    k.expires_ms = expires_ms;
    auto created = create_api_key(tx, ring, kPepper, k, "", {});
    tx.commit();
    return *created;
  }

  Result<CachedKey> find(const std::string& secret) {
    return cache.find(api_key_hash(kPepper, secret));
  }

  void reload() {
    auto refresh_conn = db.connect();
    ASSERT_TRUE(cache.refresh(*refresh_conn).ok());
  }
};

TEST(KeyCache, ReloadsOnlyWhatChangedAndForgetsRevokedKeys) {
  CacheFixture f;
  const auto a = f.create();
  f.reload();
  auto found = f.find(a.secret);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->principal.key_id, a.record.id);
  EXPECT_EQ(found->principal.workspace_id, f.workspace);
  EXPECT_EQ(found->principal.scope, Scope::kClient);

  const auto b = f.create();
  EXPECT_FALSE(f.find(b.secret).ok());  // not reloaded yet
  f.reload();
  EXPECT_TRUE(f.find(b.secret).ok());
  EXPECT_EQ(f.cache.size(), 2u);

  {
    pqxx::work tx(*f.conn);
    ASSERT_TRUE(revoke_api_key(tx, f.ring, a.record.id, "", {}).ok());
    tx.commit();
  }
  f.reload();
  auto gone = f.find(a.secret);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(f.find(b.secret).ok());
  EXPECT_FALSE(f.find(generate_api_key()).ok());
}

TEST(KeyCache, AKeyCommittedLateByAnOlderTransactionIsNotMissed) {
  CacheFixture f;
  f.reload();
  // An older transaction takes its id first and commits after a reload has passed it.
  auto slow_conn = f.db.connect();
  pqxx::work slow(*slow_conn);
  slow.exec("SELECT pg_current_xact_id()");
  const auto later = f.create();
  f.reload();
  ASSERT_TRUE(f.find(later.secret).ok());
  NewApiKey k;
  k.workspace_id = f.workspace;
  auto late = create_api_key(slow, f.ring, kPepper, k, "", {});
  ASSERT_TRUE(late.ok());
  slow.commit();
  f.reload();
  EXPECT_TRUE(f.find(late->secret).ok());
}

TEST(KeyCache, ExpiredKeysAreRefused) {
  CacheFixture f;
  // The store checks expiry against the real clock; the cache against the test's.
  const std::int64_t real_now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
  f.wall = real_now;
  const auto k = f.create(real_now + 60000);
  f.reload();
  EXPECT_TRUE(f.find(k.secret).ok());
  f.wall = real_now + 60001;
  auto expired = f.find(k.secret);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(expired.error().message, "API key expired");
}

TEST(KeyCache, AStaleCacheRefusesKeysUntilItReloads) {
  CacheFixture f;
  const auto k = f.create();
  EXPECT_EQ(f.find(k.secret).error().code, ErrorCode::kUnavailable);  // never loaded
  f.reload();
  ASSERT_TRUE(f.find(k.secret).ok());
  f.steady += 1000;
  EXPECT_TRUE(f.find(k.secret).ok());
  f.steady += 1;
  auto stale = f.find(k.secret);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kUnavailable);
  f.reload();
  EXPECT_TRUE(f.find(k.secret).ok());
}

TEST(KeyCache, RecordsLastUseInBatches) {
  CacheFixture f;
  const auto k = f.create();
  f.reload();
  f.cache.record_use(k.record.id);
  f.steady += 1000;  // the flush is due
  f.reload();
  pqxx::work tx(*f.conn);
  EXPECT_FALSE(
      tx.exec_params1("SELECT last_used_at FROM api_keys WHERE key_id = $1", k.record.id)[0]
          .is_null());
}

}  // namespace
}  // namespace bl
