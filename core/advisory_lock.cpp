#include "core/advisory_lock.hpp"

#include <string>

namespace bl {

std::int64_t advisory_lock_key(std::string_view duty) {
  // FNV-1a of "leader:<duty>".
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : std::string("leader:") + std::string(duty)) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  return static_cast<std::int64_t>(h);
}

Result<bool> try_lead(pqxx::connection& conn, std::string_view duty) {
  return pg_call([&]() -> Result<bool> {
    pqxx::nontransaction tx(conn);
    return tx.exec_params1("SELECT pg_try_advisory_lock($1)", advisory_lock_key(duty))[0]
        .as<bool>();
  });
}

}  // namespace bl
