#include "ingest/command_audit.hpp"

#include "core/log.hpp"
#include "core/metrics.hpp"

namespace bl {

StreamAppend audit_append(const CommandAudit& a, const EventMetadata& metadata) {
  JsonWriter w;
  w.begin_object();
  w.field("action", a.action);
  w.field("target_type", a.target_type);
  if (a.target_id.empty()) {
    w.null_field("target_id");
  } else {
    w.field("target_id", a.target_id);
  }
  w.field("outcome", a.error_code.empty() ? "succeeded" : "rejected");
  w.field("status", a.status);
  if (!a.error_code.empty()) w.field("error_code", a.error_code);
  w.field("count", a.count);
  w.end_object();
  return StreamAppend{Uuid::generate_v7(),
                      std::string(kAuditStreamType),
                      0,
                      {NewEvent{std::string(kCommandAudited), w.str(), encode_metadata(metadata)}}};
}

void record_rejected_command(PgPool& pool, CommandAudit audit, EventMetadata metadata) {
  static Counter& dropped = MetricsRegistry::global().counter(
      "bl_audit_records_dropped_total", "rejected-command audit records that could not be written");
  const bool queued = pool.submit(
      [audit = std::move(audit), metadata = std::move(metadata)](pqxx::connection* conn) {
        if (conn == nullptr) {
          dropped.inc();
          return;
        }
        auto s = pg_call([&]() -> Status {
          pqxx::work tx(*conn);
          if (auto st = append_events(tx, {audit_append(audit, metadata)}); !st.ok()) return st;
          tx.commit();
          return {};
        });
        if (!s.ok()) {
          dropped.inc();
          log::warn("audit.record_failed", {{"request_id", log::id(metadata.request_id)}});
        }
      });
  if (!queued) dropped.inc();
}

}  // namespace bl
