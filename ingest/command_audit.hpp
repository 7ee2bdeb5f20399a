#pragma once
// The audit trail of commands. Every write command (POST, PATCH, DELETE) appends exactly one
// CommandAudited event, stream type "audit", in a stream of its own: in the command's own
// transaction when it succeeds, alone when it is rejected. It names who (metadata: org,
// workspace, key id, request id), what (action, target) and the outcome; never content. The
// audit projection folds these events into the audit read model.

#include <string>

#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "core/pg_pool.hpp"

namespace bl {

inline constexpr std::string_view kAuditStreamType = "audit";
inline constexpr std::string_view kCommandAudited = "CommandAudited";

struct CommandAudit {
  std::string action;       // "jobs.create", "jobs.cancel", "batches.create", "keys.revoke", ...
  std::string target_type;  // "job", "batch", "file", "key", ...
  std::string target_id;    // API id of the target, empty when there is none (yet)
  int status = 200;         // the HTTP status answered
  std::string error_code;   // empty on success
  int count = 1;            // objects affected (jobs created by one request)
};

// The append of one audit event; add it to the command's transaction.
StreamAppend audit_append(const CommandAudit& audit, const EventMetadata& metadata);

// Records a rejected command in a transaction of its own, on a pool thread. Best effort: a
// full pool or an unreachable database drops the record (logged and counted).
void record_rejected_command(PgPool& pool, CommandAudit audit, EventMetadata metadata);

}  // namespace bl
