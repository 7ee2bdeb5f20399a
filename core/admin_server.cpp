#include "core/admin_server.hpp"

#include "core/log.hpp"
#include "core/metrics.hpp"

namespace bl {

void add_operations_routes(Router& router) {
  router.add("GET", "/healthz", [](HttpRequest&, Responder r) {
    r.send(HttpResponse::json(200, R"({"status":"ok"})"));
  });
  router.add("GET", "/metrics", [](HttpRequest&, Responder r) {
    r.send(
        HttpResponse::text(200, MetricsRegistry::global().render(), "text/plain; version=0.0.4"));
  });
}

std::unique_ptr<HttpServer> start_admin_server(const std::string& role, const std::string& host,
                                               int port) {
  if (host.empty()) return nullptr;
  Router router;
  add_operations_routes(router);
  HttpServerOptions o;
  o.name = role + "-admin";
  o.host = host;
  o.port = port;
  o.max_body_bytes = 1024;
  auto server = std::make_unique<HttpServer>(o, std::move(router));
  if (auto s = server->start(); !s.ok()) {
    log::error("admin.start_failed", {{"port", port}});
    return nullptr;
  }
  return server;
}

}  // namespace bl
