#pragma once
// The projector: keeps each projection's read model caught up with the log. For each
// projection one process in the fleet is the leader (a session advisory lock named after the
// projection); the others stand by and take over when the leader's session ends.
//
// One page: read the checkpoint, read events after it (below the snapshot xmin), apply them,
// move the checkpoint, commit. The checkpoint update checks the old value, so two leaders can
// never both apply a page.

#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/pg.hpp"
#include "core/stop_signal.hpp"
#include "projections/projection.hpp"

namespace bl {

class Projector {
 public:
  Projector(const Config& config, StopSignal& stop,
            std::vector<std::unique_ptr<Projection>> projections);

  int run();

  // Applies one page of `projection` on `conn`; returns events applied (0 when caught up).
  Result<int> project_once(pqxx::connection& conn, Projection& projection);

 private:
  // Tries to become the leader of projections this connection does not lead yet.
  void acquire_leadership(pqxx::connection& conn);

  const Config& config_;
  StopSignal& stop_;
  std::vector<std::unique_ptr<Projection>> projections_;
  std::vector<bool> leading_;
};

// The projections this build has, in the order they are applied.
std::vector<std::unique_ptr<Projection>> all_projections();

// Checkpoint of a projection, (0, 0) when it has none.
Result<Checkpoint> read_checkpoint(pqxx::connection& conn, const std::string& name);

}  // namespace bl
