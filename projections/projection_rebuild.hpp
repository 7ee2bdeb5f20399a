#pragma once
// Rebuilding a read model from the log while the old one keeps serving reads:
//   1. shadow tables: for each of the projection's tables, bl_rebuild.<table> LIKE the live
//      one (columns, defaults, constraints, indexes under the live index names);
//   2. fill: apply pages from the start of the log with search_path = bl_rebuild, public and
//      the checkpoint "rebuild:<name>", until caught up (the live projection keeps running);
//   3. swap, in one transaction: lock the live tables (waits for the live page in progress;
//      reads queue for the few milliseconds the swap takes), apply the last pages, move the
//      live tables out (bl_retired) and the shadow ones in, set the projection's checkpoint to
//      the rebuild's, drop the old tables. The live leader's next checkpoint move finds the
//      checkpoint changed and rolls back, then continues from the new one.
// One rebuild per projection at a time (an advisory lock).

#include <string_view>

#include "config/config.hpp"
#include "core/result.hpp"
#include "core/stop_signal.hpp"
#include "projections/projection.hpp"

namespace bl {

struct RebuildReport {
  std::int64_t events = 0;
  double seconds = 0;
};

Result<RebuildReport> rebuild_projection(const Config& config, Projection& projection,
                                         StopSignal& stop);

}  // namespace bl
