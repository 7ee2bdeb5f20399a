#include "projections/audit_queries.hpp"

namespace bl {
namespace {

// Filters as positional parameters $1..$9; an empty parameter matches everything.
constexpr std::string_view kWhere =
    " WHERE ($1 = '' OR org_id = $1) AND ($2::text IS NULL OR action = $2)"
    " AND ($3::text IS NULL OR actor_key_id = $3) AND ($4::text IS NULL OR target_type = $4)"
    " AND ($5::text IS NULL OR target_id = $5) AND ($6::text IS NULL OR outcome = $6)"
    " AND ($7::bigint IS NULL OR time >= to_timestamp($7 / 1000.0))"
    " AND ($8::bigint IS NULL OR time < to_timestamp($8 / 1000.0))"
    " AND ($9::uuid IS NULL OR audit_id < $9)";

std::optional<std::string> opt(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional(f.as<std::string>());
}

template <class... Extra>
pqxx::result run(pqxx::transaction_base& tx, const std::string& sql, const AuditFilter& f,
                 Extra... extra) {
  const std::optional<std::string> before =
      f.before ? std::optional(f.before->to_string()) : std::nullopt;
  return tx.exec_params(sql, f.org_id, f.action, f.actor_key_id, f.target_type, f.target_id,
                        f.outcome, f.from_ms, f.to_ms, before, extra...);
}

}  // namespace

std::vector<AuditRecord> list_audit(pqxx::transaction_base& tx, const AuditFilter& f, int limit) {
  const auto rows = run(tx,
                        "SELECT audit_id::text, (extract(epoch FROM time) * 1000)::bigint, org_id,"
                        " workspace_id, actor_key_id, action, target_type, target_id, request_id,"
                        " outcome, status, error_code, count FROM audit_records" +
                            std::string(kWhere) + " ORDER BY audit_id DESC LIMIT $10",
                        f, limit);
  std::vector<AuditRecord> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    AuditRecord a;
    a.id = Uuid::parse(pg_view(r[0])).value_or(Uuid{});
    a.time_ms = r[1].as<std::int64_t>();
    a.org_id = r[2].as<std::string>();
    a.workspace_id = r[3].as<std::string>();
    a.actor_key_id = r[4].as<std::string>();
    a.action = r[5].as<std::string>();
    a.target_type = r[6].as<std::string>();
    a.target_id = opt(r[7]);
    a.request_id = r[8].as<std::string>();
    a.outcome = r[9].as<std::string>();
    a.status = r[10].as<int>();
    a.error_code = opt(r[11]);
    a.count = r[12].as<int>();
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<AuditCount> count_audit(pqxx::transaction_base& tx, const AuditFilter& f) {
  const auto rows = run(tx,
                        "SELECT action, outcome, count(*) FROM audit_records" +
                            std::string(kWhere) + " GROUP BY action, outcome ORDER BY 1, 2",
                        f);
  std::vector<AuditCount> out;
  for (const auto& r : rows)
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>()});
  return out;
}

}  // namespace bl
