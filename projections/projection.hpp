#pragma once
// A projection folds the event log into read-model tables. The projector calls apply() with a
// page of events in log order, inside the transaction that also moves the checkpoint, so a
// read model is exact after any crash. apply() must be idempotent per (stream, version): a
// page may be offered again after a crash before commit.
//
// apply() names its tables unqualified: a rebuild runs it with search_path set to the shadow
// schema, so the same code fills the new tables (projections/projection_rebuild.hpp).

#include <string>
#include <string_view>
#include <vector>

#include "core/event_log.hpp"

namespace bl {

class Projection {
 public:
  virtual ~Projection() = default;
  virtual std::string_view name() const = 0;
  virtual void apply(pqxx::transaction_base& tx, const std::vector<RecordedEvent>& events) = 0;
  // The read-model tables apply() writes, replaced together by a rebuild. Empty: the
  // projection cannot be rebuilt (it has effects outside its tables, such as outbox rows).
  virtual std::vector<std::string> tables() const { return {}; }
};

}  // namespace bl
