#include "projections/projection_lag.hpp"

#include "core/metrics.hpp"
#include "projections/projection_page.hpp"
#include "projections/projector.hpp"

namespace bl {

Result<ProjectionLag> read_projection_lag(pqxx::connection& conn, const std::string& name) {
  return pg_call([&]() -> Result<ProjectionLag> {
    pqxx::read_transaction tx(conn);
    ProjectionLag lag;
    lag.name = name;
    lag.checkpoint = read_checkpoint(tx, name);
    // Counted exactly up to kMaxCountedLag; beyond, estimated from positions (counting
    // millions of rows every few seconds would slow the catch-up it measures).
    const auto row = tx.exec_params1(
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM events WHERE (tx_id, position) >"
        " ($1::xid8, $2::bigint) LIMIT $3) x),"
        " coalesce((SELECT extract(epoch FROM now() - recorded_at)::float8 FROM events"
        " WHERE (tx_id, position) > ($1::xid8, $2::bigint) ORDER BY tx_id, position LIMIT 1), 0),"
        " coalesce((SELECT max(position) FROM events), 0) - $2::bigint",
        std::to_string(lag.checkpoint.tx_id), lag.checkpoint.position, kMaxCountedLag);
    lag.events = row[0].as<std::int64_t>();
    if (lag.events >= kMaxCountedLag) lag.events = std::max(lag.events, row[2].as<std::int64_t>());
    lag.seconds = std::max(0.0, row[1].as<double>());
    return lag;
  });
}

std::vector<ProjectionLagFigure> projection_lag_figures(pqxx::connection& conn,
                                                        const Config& config) {
  std::vector<ProjectionLagFigure> figures;
  for (const auto& p : all_projections(config)) {
    auto lag = read_projection_lag(conn, std::string(p->name()));
    if (lag.ok()) figures.push_back({lag->name, lag->events, lag->seconds});
  }
  return figures;
}

void publish_projection_lag(const ProjectionLag& lag) {
  auto& reg = MetricsRegistry::global();
  const std::string labels = "projection=\"" + lag.name + "\"";
  reg.gauge("bl_projection_lag_events", "committed events not yet applied", labels)
      .set(static_cast<double>(lag.events));
  reg.gauge("bl_projection_lag_seconds", "age of the oldest event not yet applied", labels)
      .set(lag.seconds);
}

}  // namespace bl
