#pragma once
// Queries of the usage read model: sums over usage_daily for GET /v1/usage and the month to
// date of an organization for quotas.

#include <optional>
#include <string>
#include <vector>

#include "core/pg.hpp"

namespace bl {

enum class UsageGrouping { kModel, kKey, kWorkspace, kDay };
std::optional<UsageGrouping> parse_usage_grouping(std::string_view name);
std::string_view usage_grouping_name(UsageGrouping g);

struct UsageQuery {
  std::string org_id;        // empty: every organization (operator)
  std::string workspace_id;  // empty: every workspace of the org
  UsageGrouping group_by = UsageGrouping::kModel;
  std::string from;  // YYYY-MM-DD, inclusive (UTC days)
  std::string to;    // YYYY-MM-DD, inclusive
};

struct UsageSum {
  std::string group;
  std::int64_t requests = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t cost_nano_usd = 0;
};

// Sums per group, ordered by group.
std::vector<UsageSum> sum_usage(pqxx::transaction_base& tx, const UsageQuery& q);

// The organization's usage in the current UTC month.
UsageSum month_to_date_usage(pqxx::transaction_base& tx, const std::string& org_id);

}  // namespace bl
