#include "outbox/due_time.hpp"

#include <algorithm>
#include <optional>

namespace bl {

std::int64_t sleep_until_due_ms(pqxx::connection& conn, const char* kind, std::int64_t poll_ms) {
  // NULL when no row waits; negative when one is overdue (it fell due while we were busy).
  auto r = pg_call([&]() -> Result<std::optional<std::int64_t>> {
    pqxx::nontransaction tx(conn);
    const auto row = tx.exec_params1(
        "SELECT ceil(extract(epoch FROM min(due_at) - now()) * 1000)::bigint"
        " FROM outbox WHERE kind = $1",
        kind);
    if (row[0].is_null()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(row[0].as<std::int64_t>());
  });
  if (!r.ok() || !r->has_value()) return poll_ms;
  return std::clamp<std::int64_t>(**r, 0, poll_ms);
}

}  // namespace bl
