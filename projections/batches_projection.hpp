#pragma once
// The "batches" projection: one row per batch in table batches. Batch events set status,
// timestamps and files; the events of the batch's jobs move its counts and usage. A page is
// applied in log order onto the rows as stored, then every touched row is written back; the
// counts are exact because the checkpoint moves in the same transaction (a page is applied
// once or, after a crash before commit, not at all).

#include "projections/projection.hpp"

namespace bl {

class BatchesProjection final : public Projection {
 public:
  std::string_view name() const override { return "batches"; }
  void apply(pqxx::transaction_base& tx, const std::vector<RecordedEvent>& events) override;
  std::vector<std::string> tables() const override { return {"batches"}; }
};

}  // namespace bl
