#pragma once
// GET /openapi.json and the dashboard at GET /ui and /ui/{file}: embedded files served as
// they are, without authentication (they hold no data; the dashboard's scripts call the API
// with the key the user types in). Every answer carries a Content-Security-Policy that allows
// only this origin's scripts, styles and API, and no inline script.

#include "core/http_server.hpp"

namespace bl {

void add_static_routes(Router& router);

}  // namespace bl
