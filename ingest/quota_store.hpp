#pragma once
// Monthly usage quotas per organization (table org_quotas; every change also in
// quota_changes: who, when, request, old and new limits). Ingest refuses new jobs of an
// organization whose month-to-date usage (the usage read model) has reached a limit. The read
// model lags by a projector page, so a quota can be overshot by the jobs in flight: it is a
// spending brake, not an exact meter.

#include <optional>
#include <string>

#include "core/api_error.hpp"
#include "core/pg.hpp"

namespace bl {

struct QuotaLimits {
  std::optional<std::int64_t> monthly_tokens;     // input + output tokens
  std::optional<std::int64_t> monthly_cost_nano;  // nano-USD
};

QuotaLimits read_quota(pqxx::transaction_base& tx, const std::string& org_id);

// Sets the limits and records the change, in the caller's transaction.
void set_quota(pqxx::transaction_base& tx, const std::string& org_id, const QuotaLimits& limits,
               const std::string& key_id, const std::string& request_id);

// The 429 quota_exceeded refusal when the organization is at or over a limit.
std::optional<ApiError> quota_refusal(pqxx::transaction_base& tx, const std::string& org_id);
// The same in a read transaction of its own. A database failure refuses nothing: the command's
// own transaction fails on it anyway.
std::optional<ApiError> quota_refusal(pqxx::connection& conn, const std::string& org_id);

}  // namespace bl
