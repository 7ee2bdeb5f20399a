#pragma once
// The "jobs" projection: one row per job in table jobs, written with one multi-row upsert
// per page.

#include "projections/projection.hpp"

namespace bl {

class JobsProjection final : public Projection {
 public:
  std::string_view name() const override { return "jobs"; }
  void apply(pqxx::transaction_base& tx, const std::vector<RecordedEvent>& events) override;
  std::vector<std::string> tables() const override { return {"jobs"}; }
};

}  // namespace bl
