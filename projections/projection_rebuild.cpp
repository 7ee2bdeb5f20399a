#include "projections/projection_rebuild.hpp"

#include <chrono>

#include "core/advisory_lock.hpp"
#include "core/log.hpp"
#include "projections/projection_page.hpp"

namespace bl {
namespace {

constexpr const char* kShadowSchema = "bl_rebuild";
constexpr const char* kRetiredSchema = "bl_retired";
constexpr int kSwapAttempts = 30;
constexpr const char* kShadowSearchPath = "SET LOCAL search_path TO bl_rebuild, public";

void create_shadow_table(pqxx::transaction_base& tx, const std::string& table) {
  const std::string live = "public." + tx.quote_name(table);
  const std::string shadow = std::string(kShadowSchema) + "." + tx.quote_name(table);
  tx.exec("DROP TABLE IF EXISTS " + shadow);
  tx.exec("CREATE TABLE " + shadow + " (LIKE " + live + " INCLUDING ALL)");
  // LIKE names the copied indexes itself: give each the live index's name, so that the
  // swapped-in table looks exactly like the one it replaces (later migrations name them).
  const auto pairs = tx.exec_params(
      "SELECT n.indexname, o.indexname FROM pg_indexes n JOIN pg_indexes o"
      " ON o.schemaname = 'public' AND o.tablename = n.tablename"
      " AND regexp_replace(o.indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ON \\S+', '\\1')"
      "   = regexp_replace(n.indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ON \\S+', '\\1')"
      " WHERE n.schemaname = $1 AND n.tablename = $2",
      kShadowSchema, table);
  for (const auto& p : pairs) {
    if (p[0].as<std::string>() == p[1].as<std::string>()) continue;
    tx.exec(std::string("ALTER INDEX ") + kShadowSchema + "." +
            tx.quote_name(p[0].as<std::string>()) + " RENAME TO " +
            tx.quote_name(p[1].as<std::string>()));
  }
}

Status prepare_shadow(pqxx::connection& conn, const Projection& projection,
                      const std::string& checkpoint) {
  return pg_call([&]() -> Status {
    pqxx::work tx(conn);
    tx.exec(std::string("CREATE SCHEMA IF NOT EXISTS ") + kShadowSchema);
    for (const auto& table : projection.tables())
      create_shadow_table(tx, table);
    tx.exec_params("DELETE FROM projection_checkpoints WHERE name = $1", checkpoint);
    tx.commit();
    return {};
  });
}

// Applies pages into the shadow tables until one comes back short.
Result<std::int64_t> fill_shadow(pqxx::connection& conn, Projection& projection,
                                 const std::string& checkpoint, int page_size, StopSignal& stop) {
  std::int64_t total = 0;
  while (!stop.stop_requested()) {
    auto n = pg_call([&]() -> Result<int> {
      pqxx::work tx(conn);
      tx.exec(kShadowSearchPath);
      auto applied = apply_page(tx, projection, checkpoint, page_size);
      if (applied.ok()) tx.commit();
      return applied;
    });
    if (!n.ok()) return n.error();
    total += *n;
    if (*n < page_size) return total;
  }
  return Error::unavailable("stopped");
}

Result<std::int64_t> swap_in(pqxx::connection& conn, Projection& projection,
                             const std::string& checkpoint, int page_size) {
  return pg_call([&]() -> Result<std::int64_t> {
    pqxx::work tx(conn);
    std::string live_tables;
    for (const auto& table : projection.tables()) {
      live_tables += (live_tables.empty() ? "public." : ", public.") + tx.quote_name(table);
    }
    // A long reader must not stall every other reader queued behind this lock: give up after
    // a moment and try again.
    tx.exec("SET LOCAL lock_timeout = '2s'");
    tx.exec("LOCK TABLE " + live_tables + " IN ACCESS EXCLUSIVE MODE");
    tx.exec(kShadowSearchPath);
    std::int64_t total = 0;
    for (;;) {
      auto n = apply_page(tx, projection, checkpoint, page_size);
      if (!n.ok()) return n.error();
      total += *n;
      if (*n < page_size) break;
    }
    tx.exec(std::string("CREATE SCHEMA IF NOT EXISTS ") + kRetiredSchema);
    for (const auto& table : projection.tables()) {
      const std::string t = tx.quote_name(table);
      tx.exec(std::string("DROP TABLE IF EXISTS ") + kRetiredSchema + "." + t);
      tx.exec("ALTER TABLE public." + t + " SET SCHEMA " + kRetiredSchema);
      tx.exec(std::string("ALTER TABLE ") + kShadowSchema + "." + t + " SET SCHEMA public");
      tx.exec(std::string("DROP TABLE ") + kRetiredSchema + "." + t);
    }
    set_checkpoint(tx, std::string(projection.name()), read_checkpoint(tx, checkpoint));
    tx.exec_params("DELETE FROM projection_checkpoints WHERE name = $1", checkpoint);
    tx.commit();
    return total;
  });
}

}  // namespace

Result<RebuildReport> rebuild_projection(const Config& config, Projection& projection,
                                         StopSignal& stop) {
  const std::string name(projection.name());
  if (projection.tables().empty()) {
    return Error::invalid("projection " + name + " cannot be rebuilt (it has side effects)");
  }
  const auto start = std::chrono::steady_clock::now();
  auto conn = pg_connect(config.database_url, 0);
  if (!conn.ok()) return conn.error();
  auto leading = try_lead(**conn, "rebuild:" + name);
  if (!leading.ok()) return leading.error();
  if (!*leading) return Error::conflict("a rebuild of " + name + " is already running");
  const std::string checkpoint = "rebuild:" + name;
  log::info("projection.rebuild_started", {{"projection", log::code(name)}});
  if (auto s = prepare_shadow(**conn, projection, checkpoint); !s.ok()) return s.error();
  RebuildReport report;
  for (int attempt = 1;; ++attempt) {
    auto filled =
        fill_shadow(**conn, projection, checkpoint, config.projector_rebuild_page_size, stop);
    if (!filled.ok()) return filled.error();
    report.events += *filled;
    auto last = swap_in(**conn, projection, checkpoint, config.projector_rebuild_page_size);
    if (last.ok()) {
      report.events += *last;
      break;
    }
    if (attempt == kSwapAttempts || stop.stop_requested()) return last.error();
    log::warn("projection.swap_retry", {{"projection", log::code(name)}, {"attempt", attempt}});
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log::info("projection.rebuilt", {{"projection", log::code(name)}, {"events", report.events}});
  return report;
}

}  // namespace bl
