#pragma once
// The fleet's status for operators (`batchline status`, GET /v1/admin/status; cross-team
// contract 3): every model's queues with their length and pending (delivered, not yet
// acknowledged) entries, and the live workers from the fleet registry. Blocking Redis client:
// call it from a CLI or a pool thread, never from an event loop.
//
// {"object":"status","queues":[{"model","band","length","pending"}],
//  "workers":[{"id","host","pid","in_flight","max_in_flight","models":[...],"last_seen_ms"}],
//  "projections":[{"name","lag_events","lag_seconds"}]}   (empty when not given)

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/redis.hpp"

namespace bl {

// How far one projection is behind the log (projections/projection_lag.hpp measures it).
struct ProjectionLagFigure {
  std::string name;
  std::int64_t lag_events = 0;
  double lag_seconds = 0;
};

Result<std::string> fleet_status_json(RedisClient& redis, const std::string& prefix,
                                      const std::vector<ModelConfig>& models, std::int64_t now_ms,
                                      const std::vector<ProjectionLagFigure>& projections = {});

}  // namespace bl
