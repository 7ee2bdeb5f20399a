#pragma once
// Queries of the audit read model (table audit_records): filtered pages, newest first, and
// counts for the stats endpoint.

#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "core/pg.hpp"

namespace bl {

struct AuditRecord {
  Uuid id;
  std::int64_t time_ms = 0;
  std::string org_id, workspace_id, actor_key_id, action, target_type;
  std::optional<std::string> target_id;
  std::string request_id, outcome;
  int status = 0;
  std::optional<std::string> error_code;
  int count = 1;
};

struct AuditFilter {
  std::string org_id;  // empty: every organization (operator)
  std::optional<std::string> action, actor_key_id, target_type, target_id, outcome;
  std::optional<std::int64_t> from_ms, to_ms;  // [from, to)
  std::optional<Uuid> before;                  // paging: records older than this one
};

// Up to `limit` records matching f, newest first.
std::vector<AuditRecord> list_audit(pqxx::transaction_base& tx, const AuditFilter& f, int limit);

struct AuditCount {
  std::string action;
  std::string outcome;
  std::int64_t count = 0;
};
// Records per (action, outcome) matching f (paging ignored).
std::vector<AuditCount> count_audit(pqxx::transaction_base& tx, const AuditFilter& f);

}  // namespace bl
