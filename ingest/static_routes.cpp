#include "ingest/static_routes.hpp"

#include "core/api_error.hpp"
#include "ingest/static_files.hpp"

namespace bl {
namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string content_type_of(std::string_view name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  return "application/json";
}

HttpResponse static_response(const StaticFile& file) {
  HttpResponse r = HttpResponse::text(200, std::string(file.content), content_type_of(file.name));
  r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

void send_file(std::string_view name, const Responder& responder) {
  const StaticFile* file = find_static_file(name);
  if (file == nullptr) return responder.send(error_response(404, "not_found", "no such file"));
  responder.send(static_response(*file));
}

}  // namespace

const StaticFile* find_static_file(std::string_view name) {
  for (const StaticFile& f : embedded_static_files()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

void add_static_routes(Router& router) {
  router.add("GET", "/openapi.json",
             [](HttpRequest&, Responder r) { send_file("openapi.json", r); });
  router.add("GET", "/ui", [](HttpRequest&, Responder r) { send_file("ui/index.html", r); });
  router.add("GET", "/ui/{file}", [](HttpRequest& request, Responder r) {
    send_file("ui/" + std::string(request.path_param("file")), r);
  });
}

}  // namespace bl
