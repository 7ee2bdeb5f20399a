#include "ingest/status_api.hpp"

#include "core/api_error.hpp"
#include "core/fleet_status.hpp"
#include "ingest/access.hpp"
#include "ingest/pool_replies.hpp"
#include "projections/projection_lag.hpp"

namespace bl {

void add_status_route(Router& router, const Config& config, const Authenticator& auth,
                      PgPool& pool) {
  router.add("GET", "/v1/admin/status",
             [&config, &auth, &pool](HttpRequest& request, Responder responder) {
               auto caller = admin_caller(auth, request);
               if (!caller.ok()) return responder.send(error_response(caller.error()));
               // The pool thread may block; the HTTP loop may not.
               submit_or_busy(pool, responder, [&config, responder](pqxx::connection* conn) {
                 auto redis = RedisClient::connect(config.redis_host, config.redis_port,
                                                   config.redis_timeout_ms);
                 if (!redis.ok()) return responder.send(error_response(redis.error()));
                 const auto lag = conn ? projection_lag_figures(*conn, config)
                                       : std::vector<ProjectionLagFigure>{};
                 auto status = fleet_status_json(**redis, config.redis_prefix, config.models,
                                                 unix_now_ms(), lag);
                 if (!status.ok()) return responder.send(error_response(status.error()));
                 responder.send(HttpResponse::json(200, std::move(*status)));
               });
             });
}

}  // namespace bl
