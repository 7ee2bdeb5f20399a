#include "projections/usage_queries.hpp"

namespace bl {
namespace {

constexpr std::string_view kSums =
    "coalesce(sum(requests), 0)::bigint, coalesce(sum(input_tokens), 0)::bigint,"
    " coalesce(sum(output_tokens), 0)::bigint, coalesce(sum(cached_tokens), 0)::bigint,"
    " coalesce(sum(cost_nano_usd), 0)::bigint";

UsageSum to_sum(const pqxx::row& r, int first) {
  UsageSum s;
  s.requests = r[first].as<std::int64_t>();
  s.input_tokens = r[first + 1].as<std::int64_t>();
  s.output_tokens = r[first + 2].as<std::int64_t>();
  s.cached_tokens = r[first + 3].as<std::int64_t>();
  s.cost_nano_usd = r[first + 4].as<std::int64_t>();
  return s;
}

}  // namespace

std::optional<UsageGrouping> parse_usage_grouping(std::string_view name) {
  if (name == "model") return UsageGrouping::kModel;
  if (name == "key") return UsageGrouping::kKey;
  if (name == "workspace") return UsageGrouping::kWorkspace;
  if (name == "day") return UsageGrouping::kDay;
  return std::nullopt;
}

std::string_view usage_grouping_name(UsageGrouping g) {
  switch (g) {
    case UsageGrouping::kModel:
      return "model";
    case UsageGrouping::kKey:
      return "key";
    case UsageGrouping::kWorkspace:
      return "workspace";
    case UsageGrouping::kDay:
      return "day";
  }
  return "model";
}

std::vector<UsageSum> sum_usage(pqxx::transaction_base& tx, const UsageQuery& q) {
  // The column is chosen from a closed set, never from input.
  std::string column = "model";
  if (q.group_by == UsageGrouping::kKey) column = "key_id";
  if (q.group_by == UsageGrouping::kWorkspace) column = "workspace_id";
  if (q.group_by == UsageGrouping::kDay) column = "to_char(day, 'YYYY-MM-DD')";
  const auto rows =
      tx.exec_params("SELECT " + column + " AS g, " + std::string(kSums) +
                         " FROM usage_daily WHERE day BETWEEN $1::date AND $2::date"
                         " AND ($3 = '' OR org_id = $3) AND ($4 = '' OR workspace_id = $4)"
                         " GROUP BY g ORDER BY g",
                     q.from, q.to, q.org_id, q.workspace_id);
  std::vector<UsageSum> out;
  for (const auto& r : rows) {
    UsageSum s = to_sum(r, 1);
    s.group = r[0].as<std::string>();
    out.push_back(std::move(s));
  }
  return out;
}

UsageSum month_to_date_usage(pqxx::transaction_base& tx, const std::string& org_id) {
  return to_sum(tx.exec_params1("SELECT " + std::string(kSums) +
                                    " FROM usage_daily WHERE org_id = $1 AND day >="
                                    " date_trunc('month', now() AT TIME ZONE 'UTC')::date",
                                org_id),
                0);
}

}  // namespace bl
