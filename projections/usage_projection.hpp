#pragma once
// The "usage" projection: one usage_records row per job result (JobSucceeded) and its sums in
// usage_daily per org / day / workspace / key / model. A result is counted once: the record's
// insert skips a job already recorded, and only rows actually inserted are added to the daily
// sums (one statement). Who submitted the job (org, workspace, key) and its model come from the
// job's JobSubmitted event in the log, so the projection depends on no other read model.
// Works on clear fields only: nothing is decrypted.

#include "projections/projection.hpp"

namespace bl {

class UsageProjection final : public Projection {
 public:
  std::string_view name() const override { return "usage"; }
  void apply(pqxx::transaction_base& tx, const std::vector<RecordedEvent>& events) override;
  std::vector<std::string> tables() const override { return {"usage_records", "usage_daily"}; }
};

}  // namespace bl
