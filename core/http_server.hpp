#pragma once
// HTTP/1.1 server on libevent's evhttp. Each server thread owns one event loop and one evhttp
// bound to the same port with SO_REUSEPORT. A handler may answer at once or later from any
// thread through its Responder (work that blocks, such as PostgreSQL, runs elsewhere and
// responds when done); the reply is posted back to the request's loop.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/event_loop.hpp"
#include "core/result.hpp"
#include "core/tls_context.hpp"

struct evhttp_request;
struct evhttp;

namespace bl {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // upper case
  std::string path;    // without the query
  std::string query;   // raw, without '?'
  HeaderList headers;  // names lower-cased
  std::string body;
  std::string request_id;  // X-Request-Id as received (if sane) or generated
  std::string route;       // the matched route template, e.g. "/v1/jobs/{id}"
  std::vector<std::pair<std::string, std::string>> path_params;
  std::size_t route_max_body_bytes = 0;  // the matched route's own body limit, 0 if none

  // First header with this lower-case name.
  const std::string* header(std::string_view name) const;
  std::string_view path_param(std::string_view name) const;
  // Decoded value of the first query parameter with this name.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;
  std::string body;

  static HttpResponse json(int status, std::string body);
  static HttpResponse text(int status, std::string body, std::string content_type);
};

// Answers one request, exactly once, from any thread. Copies share the same request; later
// calls are ignored. A request whose every Responder is dropped unanswered gets a 500.
class Responder {
 public:
  struct State;
  explicit Responder(std::shared_ptr<State> state) : state_(std::move(state)) {}
  void send(HttpResponse response) const;
  // Sends after delay_ms, from a timer on the request's loop (no thread sleeps).
  void send_after(std::int64_t delay_ms, HttpResponse response) const;
  const std::string& request_id() const;
  // Runs fn on the request's loop thread (at once when called there). An exception from fn
  // is answered with a 500, as for a handler.
  void on_loop(std::function<void()> fn) const;
  // A Responder for the same request whose send() hands the response to `fn` (on the
  // request's loop) instead of the client; fn answers the client through this Responder.
  Responder intercept(std::function<void(HttpResponse)> fn) const;

 private:
  std::shared_ptr<State> state_;
};

using HttpHandler = std::function<void(HttpRequest& request, Responder responder)>;

class Router {
 public:
  // pattern: "/v1/jobs/{id}/cancel"; a {name} segment matches one non-empty segment.
  void add(std::string method, std::string pattern, HttpHandler handler);
  // Same, with a body limit of its own instead of the server's (large uploads). evhttp
  // buffers a body before any route is known, so the server buffers up to the largest route
  // limit and a smaller route answers 413 after the body has arrived.
  void add(std::string method, std::string pattern, std::size_t max_body_bytes,
           HttpHandler handler);
  // The largest body limit of any route (0 when none has its own).
  std::size_t largest_route_body_limit() const;
  // Found handler; otherwise sets *method_mismatch when the path exists with another method.
  const HttpHandler* match(HttpRequest& request, bool* method_mismatch) const;
  std::vector<std::pair<std::string, std::string>> routes() const;  // (method, pattern)
  // Replaces every handler h of (method, pattern) with wrapper(method, pattern, h).
  using Wrapper = std::function<HttpHandler(const std::string& method, const std::string& pattern,
                                            HttpHandler)>;
  void wrap(const Wrapper& wrapper);

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    HttpHandler handler;
    std::size_t max_body_bytes = 0;  // 0: the server's limit
  };
  std::vector<Route> routes_;
};

struct HttpServerOptions {
  std::string name = "http";  // role name for logs and metrics
  std::string host = "127.0.0.1";
  int port = 0;  // 0 picks a free port; see HttpServer::port()
  int threads = 1;
  std::size_t max_header_bytes = 16 << 10;
  std::size_t max_body_bytes = 8 << 20;  // for routes without a limit of their own
  int read_write_timeout_s = 30;
  // Open connections of the whole server (split evenly over its threads); at the limit new
  // connections wait in the kernel's backlog.
  int max_connections = 10000;
  // Both set: the port speaks TLS only.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Router router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds every thread's listener and starts the threads.
  Status start();
  // Stops accepting, stops the loops and joins the threads. Idempotent.
  void stop();
  int port() const { return port_; }
  // The router's (method, pattern) pairs.
  std::vector<std::pair<std::string, std::string>> routes() const { return router_.routes(); }

 private:
  struct Worker;
  static void on_request(evhttp_request* req, void* arg);
  void handle(Worker& worker, evhttp_request* req);

  HttpServerOptions options_;
  Router router_;
  SslCtxPtr tls_;  // null without TLS; outlives the workers' connections
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace bl
