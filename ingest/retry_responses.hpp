#pragma once
// Answers for requests the database side could not serve now; clients retry after a second.

#include "core/http_server.hpp"
#include "core/result.hpp"

namespace bl {

// 503 "overloaded" with Retry-After: the database pool's queue is full.
HttpResponse overloaded();
// The error's envelope; a 503 (database unreachable) gets Retry-After.
HttpResponse unavailable(const Error& e);

}  // namespace bl
