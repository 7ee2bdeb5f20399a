#pragma once
// A projection folds the event log into read-model tables. The projector calls apply() with a
// page of events in log order, inside the transaction that also moves the checkpoint, so a
// read model is exact after any crash. apply() must be idempotent per (stream, version): a
// page may be offered again after a crash before commit.

#include <string_view>
#include <vector>

#include "core/event_log.hpp"

namespace bl {

class Projection {
 public:
  virtual ~Projection() = default;
  virtual std::string_view name() const = 0;
  virtual void apply(pqxx::transaction_base& tx, const std::vector<RecordedEvent>& events) = 0;
};

}  // namespace bl
