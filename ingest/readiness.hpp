#pragma once
// GET /readyz: 200 when this node can serve, i.e. PostgreSQL answers through the node's pool
// and Redis answers a PING within its deadline; 503 naming what is missing otherwise.

#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "core/redis_thread.hpp"

namespace bl {

void add_readiness_route(Router& router, PgPool& pool, RedisThread& redis);

}  // namespace bl
