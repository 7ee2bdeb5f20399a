#include "core/migrations.hpp"

#include <set>

#include "core/log.hpp"
#include "core/pg.hpp"

namespace bl {
namespace {

// Arbitrary constant shared by every process that migrates this database.
constexpr std::int64_t kMigrationLockKey = 0x626c5f6d69677261;  // "bl_migra"

}  // namespace

Result<int> migrate(const std::string& database_url) {
  auto conn = pg_connect(database_url, 600000);
  if (!conn.ok()) return conn.error();
  pqxx::connection& c = **conn;
  return pg_call([&]() -> Result<int> {
    {
      pqxx::nontransaction tx(c);
      tx.exec("SET client_min_messages = warning");
      tx.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
      tx.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          " version integer PRIMARY KEY, name text NOT NULL,"
          " applied_at timestamptz NOT NULL DEFAULT now())");
    }
    std::set<int> applied;
    {
      pqxx::nontransaction tx(c);
      for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) {
        applied.insert(row[0].as<int>());
      }
    }
    int count = 0;
    for (const Migration& m : embedded_migrations()) {
      if (applied.count(m.version) != 0) continue;
      pqxx::work tx(c);
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                     std::string(m.name));
      tx.commit();
      ++count;
      log::info("migration.applied", {{"version", m.version}});
    }
    pqxx::nontransaction tx(c);
    tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    return count;
  });
}

}  // namespace bl
