#pragma once
// The webhook endpoints of a workspace:
//   POST   /v1/webhooks                      register {"url", "event_types"}; answers the
//                                            signing secret, this once only
//   GET    /v1/webhooks                      list (?limit=&after=), newest first
//   GET    /v1/webhooks/{id}                 one endpoint
//   DELETE /v1/webhooks/{id}                 stop sending to it
//   GET    /v1/webhooks/{id}/deliveries      notifications sent to it, with their attempts
// Another workspace's endpoint is answered 404. Every write appends one audit event.

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "core/pg_pool.hpp"
#include "ingest/auth.hpp"

namespace bl {

class WebhooksApi {
 public:
  WebhooksApi(const Config& config, const Authenticator& auth, PgPool& pool)
      : config_(config), auth_(auth), pool_(pool) {}
  void add_routes(Router& router);

 private:
  void create(HttpRequest& request, Responder responder);
  void list(HttpRequest& request, Responder responder);
  void get(HttpRequest& request, Responder responder);
  void remove(HttpRequest& request, Responder responder);
  void deliveries(HttpRequest& request, Responder responder);

  const Config& config_;
  const Authenticator& auth_;
  PgPool& pool_;
};

}  // namespace bl
