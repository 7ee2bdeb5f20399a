#include "core/http_server.hpp"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>

#include "core/api_error.hpp"
#include "core/crypto.hpp"
#include "core/http_connections.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace bl {
namespace {

constexpr std::size_t kBodyByReferenceBytes = 1 << 20;

struct EvhttpFree {
  void operator()(evhttp* h) const { evhttp_free(h); }
};
struct ListenerFree {
  void operator()(evconnlistener* l) const { evconnlistener_free(l); }
};

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

const char* method_name(evhttp_cmd_type cmd) {
  switch (cmd) {
    case EVHTTP_REQ_GET:
      return "GET";
    case EVHTTP_REQ_POST:
      return "POST";
    case EVHTTP_REQ_HEAD:
      return "HEAD";
    case EVHTTP_REQ_PUT:
      return "PUT";
    case EVHTTP_REQ_DELETE:
      return "DELETE";
    case EVHTTP_REQ_OPTIONS:
      return "OPTIONS";
    case EVHTTP_REQ_TRACE:
      return "TRACE";
    case EVHTTP_REQ_CONNECT:
      return "CONNECT";
    case EVHTTP_REQ_PATCH:
      return "PATCH";
  }
  return "GET";
}

// A client-sent X-Request-Id is kept when it is short and plain; otherwise we make one.
bool sane_request_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
          c == ':')) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/')
      ++i;
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

struct Responder::State {
  std::shared_ptr<EventLoop> loop;
  evhttp_request* req = nullptr;  // only touched on the loop thread
  std::string request_id;
  std::string method;
  std::string route;
  std::string server;
  std::chrono::steady_clock::time_point start;
  std::atomic<bool> sent{false};
  // Set for an intercepting Responder: deliver() hands the response over instead.
  std::function<void(HttpResponse)> interceptor;

  void deliver(HttpResponse r);
  ~State();
};

void Responder::State::deliver(HttpResponse r) {
  if (interceptor) {
    auto fn = std::move(interceptor);
    interceptor = nullptr;
    fn(std::move(r));
    return;
  }
  evkeyvalq* out = evhttp_request_get_output_headers(req);
  bool has_type = false;
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), "content-type") == 0) has_type = true;
    evhttp_add_header(out, k.c_str(), v.c_str());
  }
  if (!has_type) evhttp_add_header(out, "Content-Type", "application/json");
  evhttp_add_header(out, "X-Request-Id", request_id.c_str());
  evbuffer* buf = evbuffer_new();
  if (r.body.size() >= kBodyByReferenceBytes) {
    // A large body (a file download) is handed to libevent without a copy; libevent frees it
    // once it is written.
    auto* owned = new std::string(std::move(r.body));
    evbuffer_add_reference(
        buf, owned->data(), owned->size(),
        [](const void*, size_t, void* arg) { delete static_cast<std::string*>(arg); }, owned);
  } else {
    evbuffer_add(buf, r.body.data(), r.body.size());
  }
  evhttp_send_reply(req, r.status, reason_phrase(r.status), buf);
  evbuffer_free(buf);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto& registry = MetricsRegistry::global();
  const std::string labels =
      "server=\"" + server + "\",method=\"" + method + "\",route=\"" + metric_label(route) + "\"";
  registry
      .counter("bl_http_requests_total", "HTTP requests by route and status",
               labels + ",status=\"" + std::to_string(r.status) + "\"")
      .inc();
  registry.histogram("bl_http_request_seconds", "HTTP request latency", labels).observe(seconds);
  log::Level level = r.status >= 500 ? log::Level::kWarn : log::Level::kDebug;
  log::write(level, "http.request",
             {{"request_id", log::id(request_id)},
              {"method", log::code(method)},
              {"route", log::code(route)},
              {"status", r.status},
              {"duration_us", static_cast<std::int64_t>(seconds * 1e6)}});
}

Responder::State::~State() {
  if (sent.exchange(true)) return;
  // Every Responder was dropped without an answer: a handler bug. Answer rather than hang.
  auto l = loop;
  evhttp_request* r = req;
  std::string id = request_id, m = method, rt = route, sv = server;
  auto st = start;
  auto ic = std::move(interceptor);
  l->post([l, r, id, m, rt, sv, st, ic] {
    State s;
    s.loop = l;
    s.req = r;
    s.request_id = id;
    s.method = m;
    s.route = rt;
    s.server = sv;
    s.start = st;
    s.sent = true;
    s.interceptor = ic;
    s.deliver(error_response(500, "internal_error", "the request was not answered"));
  });
}

void Responder::send(HttpResponse response) const {
  if (state_->sent.exchange(true)) return;
  auto state = state_;
  if (state->loop->in_loop_thread()) {
    state->deliver(std::move(response));
  } else {
    state->loop->post([state, r = std::move(response)]() mutable { state->deliver(std::move(r)); });
  }
}

void Responder::send_after(std::int64_t delay_ms, HttpResponse response) const {
  if (delay_ms <= 0) return send(std::move(response));
  struct Pending {
    Responder responder;
    HttpResponse response;
  };
  auto* pending = new Pending{*this, std::move(response)};
  auto fire = [](evutil_socket_t, short, void* arg) {
    std::unique_ptr<Pending> p(static_cast<Pending*>(arg));
    p->responder.send(std::move(p->response));
  };
  timeval tv{static_cast<time_t>(delay_ms / 1000),
             static_cast<suseconds_t>((delay_ms % 1000) * 1000)};
  auto schedule = [loop = state_->loop, pending, fire, tv] {
    if (event_base_once(loop->base(), -1, EV_TIMEOUT, fire, pending, &tv) != 0) {
      fire(-1, 0, pending);
    }
  };
  if (state_->loop->in_loop_thread()) {
    schedule();
  } else {
    state_->loop->post(schedule);
  }
}

const std::string& Responder::request_id() const {
  return state_->request_id;
}

void Responder::on_loop(std::function<void()> fn) const {
  auto guarded = [self = *this, fn = std::move(fn)] {
    try {
      fn();
    } catch (const std::exception&) {
      // No exception crosses an event-loop callback (STYLE.md rule 3).
      log::error("http.handler_exception", {{"request_id", log::id(self.request_id())},
                                            {"route", log::code(self.state_->route)}});
      self.send(error_response(500, "internal_error", "internal error"));
    }
  };
  if (state_->loop->in_loop_thread()) {
    guarded();
  } else {
    state_->loop->post(std::move(guarded));
  }
}

Responder Responder::intercept(std::function<void(HttpResponse)> fn) const {
  auto inner = std::make_shared<State>();
  inner->loop = state_->loop;
  inner->req = state_->req;
  inner->request_id = state_->request_id;
  inner->method = state_->method;
  inner->route = state_->route;
  inner->server = state_->server;
  inner->start = state_->start;
  inner->interceptor = std::move(fn);
  return Responder(std::move(inner));
}

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string_view HttpRequest::path_param(std::string_view name) const {
  for (const auto& [k, v] : path_params) {
    if (k == name) return v;
  }
  return {};
}

std::optional<std::string> HttpRequest::query_param(std::string_view name) const {
  if (query.empty()) return std::nullopt;
  evkeyvalq params;
  params.tqh_first = nullptr;
  params.tqh_last = &params.tqh_first;
  if (evhttp_parse_query_str(query.c_str(), &params) != 0) {
    evhttp_clear_headers(&params);
    return std::nullopt;
  }
  std::optional<std::string> out;
  for (evkeyval* kv = params.tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
    if (name == kv->key) {
      out = kv->value;
      break;
    }
  }
  evhttp_clear_headers(&params);
  return out;
}

HttpResponse HttpResponse::json(int status, std::string body) {
  return HttpResponse{status, {{"Content-Type", "application/json"}}, std::move(body)};
}

HttpResponse HttpResponse::text(int status, std::string body, std::string content_type) {
  return HttpResponse{status, {{"Content-Type", std::move(content_type)}}, std::move(body)};
}

void Router::add(std::string method, std::string pattern, HttpHandler handler) {
  add(std::move(method), std::move(pattern), 0, std::move(handler));
}

void Router::add(std::string method, std::string pattern, std::size_t max_body_bytes,
                 HttpHandler handler) {
  Route r{std::move(method), pattern, split_path(pattern), std::move(handler), max_body_bytes};
  routes_.push_back(std::move(r));
}

std::size_t Router::largest_route_body_limit() const {
  std::size_t largest = 0;
  for (const auto& r : routes_)
    largest = std::max(largest, r.max_body_bytes);
  return largest;
}

const HttpHandler* Router::match(HttpRequest& request, bool* method_mismatch) const {
  const auto segments = split_path(request.path);
  *method_mismatch = false;
  for (const auto& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      const std::string& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        params.emplace_back(p.substr(1, p.size() - 2), segments[i]);
      } else {
        ok = p == segments[i];
      }
    }
    if (!ok) continue;
    if (r.method != request.method) {
      *method_mismatch = true;
      continue;
    }
    request.route = r.pattern;
    request.path_params = std::move(params);
    request.route_max_body_bytes = r.max_body_bytes;
    return &r.handler;
  }
  return nullptr;
}

void Router::wrap(const Wrapper& wrapper) {
  for (auto& r : routes_)
    r.handler = wrapper(r.method, r.pattern, std::move(r.handler));
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : routes_)
    out.emplace_back(r.method, r.pattern);
  return out;
}

struct HttpServer::Worker {
  HttpServer* server = nullptr;
  std::shared_ptr<EventLoop> loop = std::make_shared<EventLoop>();
  std::unique_ptr<ConnectionTracker> connections;  // outlives http: evhttp_free closes them
  std::unique_ptr<evhttp, EvhttpFree> http;
  ~Worker() {
    // evhttp_free frees the listener before closing connections: the tracker must not
    // re-enable it from a close callback.
    if (connections) connections->set_listener(nullptr);
    http.reset();
  }
};

HttpServer::HttpServer(HttpServerOptions options, Router router)
    : options_(std::move(options)), router_(std::move(router)) {}

HttpServer::~HttpServer() {
  stop();
}

Status HttpServer::start() {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  if (inet_pton(AF_INET, options_.host.c_str(), &sa.sin_addr) != 1) {
    return Error::invalid("listen host must be an IPv4 address: " + options_.host);
  }
  if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) {
    auto tls = make_server_tls_context(options_.tls_cert_file, options_.tls_key_file);
    if (!tls.ok()) return tls.error();
    tls_ = std::move(*tls);
  }
  Gauge& open_connections =
      MetricsRegistry::global().gauge("bl_http_connections_open", "open HTTP connections",
                                      "server=\"" + metric_label(options_.name) + "\"");
  const int per_thread = (options_.max_connections + options_.threads - 1) / options_.threads;
  int port = options_.port;
  for (int i = 0; i < options_.threads; ++i) {
    auto w = std::make_unique<Worker>();
    w->server = this;
    w->connections = std::make_unique<ConnectionTracker>(per_thread, tls_.get(), open_connections);
    w->http.reset(evhttp_new(w->loop->base()));
    evhttp_set_bevcb(w->http.get(), &ConnectionTracker::make_bufferevent, w->connections.get());
    evhttp_set_max_headers_size(w->http.get(), static_cast<ev_ssize_t>(options_.max_header_bytes));
    const std::size_t body_limit =
        std::max(options_.max_body_bytes, router_.largest_route_body_limit());
    evhttp_set_max_body_size(w->http.get(), static_cast<ev_ssize_t>(body_limit));
    evhttp_set_timeout(w->http.get(), options_.read_write_timeout_s);
    evhttp_set_allowed_methods(w->http.get(), EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_DELETE |
                                                  EVHTTP_REQ_PATCH | EVHTTP_REQ_PUT |
                                                  EVHTTP_REQ_HEAD);
    // Our responses always name their type; this labels evhttp's own (HTML) error pages.
    evhttp_set_default_content_type(w->http.get(), "text/html; charset=ISO-8859-1");
    evhttp_set_gencb(w->http.get(), &HttpServer::on_request, w.get());
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    evconnlistener* listener = evconnlistener_new_bind(
        w->loop->base(), nullptr, nullptr,
        LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
        -1, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    if (listener == nullptr) {
      return Error::unavailable("cannot listen on " + options_.host + ":" + std::to_string(port) +
                                ": " + std::strerror(errno));
    }
    if (evhttp_bind_listener(w->http.get(), listener) == nullptr) {
      evconnlistener_free(listener);
      return Error::internal("evhttp_bind_listener failed");
    }
    w->connections->set_listener(listener);
    if (port == 0) {
      sockaddr_in bound{};
      socklen_t len = sizeof(bound);
      getsockname(evconnlistener_get_fd(listener), reinterpret_cast<sockaddr*>(&bound), &len);
      port = ntohs(bound.sin_port);  // the other threads share this port
    }
    workers_.push_back(std::move(w));
  }
  port_ = port;
  for (auto& w : workers_) {
    threads_.emplace_back([loop = w->loop] { loop->run(); });
  }
  started_ = true;
  log::info("http.listening", {{"server", log::code(options_.name)},
                               {"port", port_},
                               {"threads", options_.threads},
                               {"tls", tls_ != nullptr},
                               {"max_connections", options_.max_connections}});
  return {};
}

void HttpServer::stop() {
  for (auto& w : workers_)
    w->loop->stop();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
  workers_.clear();
  started_ = false;
}

void HttpServer::on_request(evhttp_request* req, void* arg) {
  auto* w = static_cast<Worker*>(arg);
  w->server->handle(*w, req);
}

void HttpServer::handle(Worker& w, evhttp_request* req) {
  HttpRequest r;
  r.method = method_name(evhttp_request_get_command(req));
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
  const char* path = uri != nullptr ? evhttp_uri_get_path(uri) : nullptr;
  r.path = path != nullptr && *path != '\0' ? path : "/";
  const char* query = uri != nullptr ? evhttp_uri_get_query(uri) : nullptr;
  if (query != nullptr) r.query = query;
  const evkeyvalq* in = evhttp_request_get_input_headers(req);
  for (evkeyval* kv = in->tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
    std::string name = kv->key;
    for (char& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), kv->value);
  }
  evbuffer* body = evhttp_request_get_input_buffer(req);
  const std::size_t n = evbuffer_get_length(body);
  r.body.resize(n);
  if (n > 0) evbuffer_remove(body, r.body.data(), n);
  const std::string* rid = r.header("x-request-id");
  r.request_id = rid != nullptr && sane_request_id(*rid)
                     ? *rid
                     : std::string(id_prefix::kRequest) + hex_encode(random_bytes(12));

  auto state = std::make_shared<Responder::State>();
  state->loop = w.loop;
  state->req = req;
  state->request_id = r.request_id;
  state->method = r.method;
  state->server = options_.name;
  state->start = std::chrono::steady_clock::now();
  bool method_mismatch = false;
  const HttpHandler* handler = router_.match(r, &method_mismatch);
  state->route = handler != nullptr ? r.route : "unmatched";
  Responder responder(state);
  if (handler == nullptr) {
    responder.send(method_mismatch
                       ? error_response(405, "method_not_allowed",
                                        "method " + r.method + " is not allowed on this path")
                       : error_response(404, "not_found", "no such route"));
    return;
  }
  const std::size_t body_limit =
      r.route_max_body_bytes > 0 ? r.route_max_body_bytes : options_.max_body_bytes;
  if (r.body.size() > body_limit) {
    responder.send(error_response(413, "request_too_large",
                                  "the request body is larger than this route accepts (" +
                                      std::to_string(body_limit) + " bytes)"));
    return;
  }
  try {
    (*handler)(r, responder);
  } catch (const std::exception&) {
    // No exception crosses an event-loop callback (STYLE.md rule 3).
    log::error("http.handler_exception",
               {{"request_id", log::id(r.request_id)}, {"route", log::code(r.route)}});
    responder.send(error_response(500, "internal_error", "internal error"));
  }
}

}  // namespace bl
