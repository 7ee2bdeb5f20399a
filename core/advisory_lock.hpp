#pragma once
// Leadership among processes through PostgreSQL session advisory locks: the process whose
// session holds the lock named after a duty does it; the others try again later and take
// over when the holder's session ends (crash, network loss, exit).

#include <cstdint>
#include <string_view>

#include "core/pg.hpp"

namespace bl {

// A 64-bit lock key for a named duty, the same in every process and build.
std::int64_t advisory_lock_key(std::string_view duty);

// Tries to take the session lock for `duty` on conn; true when this session holds it (taking
// it again while holding it is also true).
Result<bool> try_lead(pqxx::connection& conn, std::string_view duty);

}  // namespace bl
