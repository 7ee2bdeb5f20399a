#pragma once
// The projector: keeps each projection's read model caught up with the log. Each projection
// runs on a thread of its own with its own connection, checkpoint and leadership: one process
// in the fleet leads a projection (a session advisory lock named after it), the others stand
// by and take over within about a second when the leader's session ends.
//
// A page (projections/projection_page.hpp) is applied and its checkpoint moved in one
// transaction, so a read model is exact after any crash.

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/pg.hpp"
#include "core/stop_signal.hpp"
#include "projections/projection.hpp"
#include "projections/projection_page.hpp"

namespace bl {

class Projector {
 public:
  Projector(const Config& config, StopSignal& stop,
            std::vector<std::unique_ptr<Projection>> projections);

  // Runs every projection until stop; returns the exit code.
  int run();

  // Applies one page of `projection` on `conn` and commits; returns events applied (0 when
  // caught up).
  Result<int> project_once(pqxx::connection& conn, Projection& projection);

 private:
  // Leads (or stands by for) one projection until stop.
  void run_projection(Projection& projection);

  const Config& config_;
  StopSignal& stop_;
  std::vector<std::unique_ptr<Projection>> projections_;
};

// The projections this build has (the conversations projection opens content with
// config.keyring, which must outlive them).
std::vector<std::unique_ptr<Projection>> all_projections(const Config& config);

// The projection called `name`, or nullptr.
std::unique_ptr<Projection> projection_named(const Config& config, std::string_view name);

}  // namespace bl
