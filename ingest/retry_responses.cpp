#include "ingest/retry_responses.hpp"

#include "core/api_error.hpp"

namespace bl {

HttpResponse overloaded() {
  HttpResponse r = error_response(503, "overloaded", "the server is busy; retry shortly");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse unavailable(const Error& e) {
  HttpResponse r = error_response(e);
  if (r.status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace bl
