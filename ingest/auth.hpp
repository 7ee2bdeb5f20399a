#pragma once
// Authentication of API requests. A key arrives as "Authorization: Bearer <key>" or
// "x-api-key: <key>". Comparisons are constant-time.

#include "config/config.hpp"
#include "core/http_server.hpp"
#include "ingest/principal.hpp"

namespace bl {

// The key a request presents, or empty.
std::string presented_key(const HttpRequest& request);

// Accepts the development key from configuration (BL_DEV_API_KEY) as a client of workspace
// "ws_dev" in organization "org_dev".
Result<Principal> authenticate(const HttpRequest& request, const Config& config);

}  // namespace bl
