#include "ingest/quota_store.hpp"

#include "projections/usage_queries.hpp"

namespace bl {
namespace {

std::optional<std::int64_t> opt_int(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional(f.as<std::int64_t>());
}

std::optional<std::string> opt_text(const std::optional<std::int64_t>& v) {
  return v ? std::optional(std::to_string(*v)) : std::nullopt;
}

}  // namespace

QuotaLimits read_quota(pqxx::transaction_base& tx, const std::string& org_id) {
  const auto rows = tx.exec_params(
      "SELECT monthly_token_limit, monthly_cost_limit_nano FROM org_quotas WHERE org_id = $1",
      org_id);
  if (rows.empty()) return {};
  return {opt_int(rows[0][0]), opt_int(rows[0][1])};
}

void set_quota(pqxx::transaction_base& tx, const std::string& org_id, const QuotaLimits& limits,
               const std::string& key_id, const std::string& request_id) {
  // Locks the org's row (or its absence, through the insert) so concurrent changes record
  // each other's values as "old".
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('quota:' || $1))", org_id);
  const QuotaLimits old = read_quota(tx, org_id);
  tx.exec_params(
      "INSERT INTO org_quotas (org_id, monthly_token_limit, monthly_cost_limit_nano, updated_at,"
      " updated_by) VALUES ($1, $2::bigint, $3::bigint, now(), $4) ON CONFLICT (org_id) DO UPDATE"
      " SET monthly_token_limit = EXCLUDED.monthly_token_limit,"
      " monthly_cost_limit_nano = EXCLUDED.monthly_cost_limit_nano, updated_at = now(),"
      " updated_by = EXCLUDED.updated_by",
      org_id, opt_text(limits.monthly_tokens), opt_text(limits.monthly_cost_nano), key_id);
  tx.exec_params(
      "INSERT INTO quota_changes (org_id, changed_by, request_id, old_token_limit,"
      " old_cost_limit_nano, new_token_limit, new_cost_limit_nano)"
      " VALUES ($1, $2, $3, $4::bigint, $5::bigint, $6::bigint, $7::bigint)",
      org_id, key_id, request_id, opt_text(old.monthly_tokens), opt_text(old.monthly_cost_nano),
      opt_text(limits.monthly_tokens), opt_text(limits.monthly_cost_nano));
}

std::optional<ApiError> quota_refusal(pqxx::transaction_base& tx, const std::string& org_id) {
  if (org_id.empty()) return std::nullopt;
  const QuotaLimits limits = read_quota(tx, org_id);
  if (!limits.monthly_tokens && !limits.monthly_cost_nano) return std::nullopt;
  const UsageSum used = month_to_date_usage(tx, org_id);
  const bool tokens_over =
      limits.monthly_tokens && used.input_tokens + used.output_tokens >= *limits.monthly_tokens;
  const bool cost_over =
      limits.monthly_cost_nano && used.cost_nano_usd >= *limits.monthly_cost_nano;
  if (!tokens_over && !cost_over) return std::nullopt;
  ApiError e;
  e.status = 429;
  e.code = "quota_exceeded";
  e.message = tokens_over ? "the organization has used its monthly token quota"
                          : "the organization has used its monthly spend quota";
  return e;
}

std::optional<ApiError> quota_refusal(pqxx::connection& conn, const std::string& org_id) {
  auto refusal = pg_call([&]() -> Result<std::optional<ApiError>> {
    pqxx::read_transaction tx(conn);
    return quota_refusal(tx, org_id);
  });
  return refusal.ok() ? *refusal : std::nullopt;
}

}  // namespace bl
