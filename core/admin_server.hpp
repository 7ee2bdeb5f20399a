#pragma once
// The operations endpoint of roles that serve no API (relay, work, project): /healthz and
// Prometheus /metrics on their own port.

#include <memory>
#include <string>

#include "core/http_server.hpp"

namespace bl {

// nullptr when host is empty (off) or the port cannot be bound (logged).
std::unique_ptr<HttpServer> start_admin_server(const std::string& role, const std::string& host,
                                               int port);

// Adds GET /healthz and GET /metrics to a router.
void add_operations_routes(Router& router);

}  // namespace bl
