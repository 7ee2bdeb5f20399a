#pragma once
// The "audit" projection: one audit_records row per CommandAudited event (ingest/command_audit
// .hpp), keyed by the event's stream id, so a replayed page inserts nothing twice. Clear
// fields only; the audit trail never holds content.

#include "projections/projection.hpp"

namespace bl {

class AuditProjection final : public Projection {
 public:
  std::string_view name() const override { return "audit"; }
  void apply(pqxx::transaction_base& tx, const std::vector<RecordedEvent>& events) override;
  std::vector<std::string> tables() const override { return {"audit_records"}; }
};

}  // namespace bl
