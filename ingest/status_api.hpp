#pragma once
// GET /v1/admin/status (admin or operator key): the fleet's queues and live workers
// (core/fleet_status.hpp). Built on a pool thread with a short-lived blocking Redis connection.

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

void add_status_route(Router& router, const Config& config, const Authenticator& auth,
                      PgPool& pool);

}  // namespace bl
