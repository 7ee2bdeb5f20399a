#pragma once
// How long a deliverer of one outbox kind may sleep before a row of its kind is due.

#include <cstdint>

#include "core/pg.hpp"

namespace bl {

// Milliseconds until the earliest row of `kind` is due, between 0 (one is due or overdue) and
// poll_ms (none waits, or none is due sooner). A failed query also answers poll_ms.
std::int64_t sleep_until_due_ms(pqxx::connection& conn, const char* kind, std::int64_t poll_ms);

}  // namespace bl
