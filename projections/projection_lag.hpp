#pragma once
// How far a projection is behind the log: committed events past its checkpoint and the age of
// the oldest of them. Published as gauges by the projector and shown by
// `batchline project --status`.

#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/event_log.hpp"
#include "core/fleet_status.hpp"
#include "core/result.hpp"

namespace bl {

struct ProjectionLag {
  std::string name;
  Checkpoint checkpoint;
  std::int64_t events = 0;  // exact up to kMaxCountedLag, estimated beyond
  double seconds = 0;       // age of the oldest event not applied yet; 0 when caught up
};

inline constexpr std::int64_t kMaxCountedLag = 100'000;

Result<ProjectionLag> read_projection_lag(pqxx::connection& conn, const std::string& name);

// The lag of every projection, for the fleet status; a projection that cannot be read is
// left out.
std::vector<ProjectionLagFigure> projection_lag_figures(pqxx::connection& conn,
                                                        const Config& config);

// Sets bl_projection_lag_events and bl_projection_lag_seconds for lag.name.
void publish_projection_lag(const ProjectionLag& lag);

}  // namespace bl
