// Fuzz target: raw bytes sent to a running HttpServer (evhttp plus our request handling:
// header copies, X-Request-Id, route matching with path parameters, query decoding, body
// limits, the answer). One server per process; each input is one connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/http_server.hpp"

namespace {

bl::HttpServer& server() {
  static std::unique_ptr<bl::HttpServer> s = [] {
    std::signal(SIGPIPE, SIG_IGN);  // as every role does (core/stop_signal.cpp)
    // OpenSSL first, on this thread: its exit-time cleanup is then registered before the
    // server's destructor and runs after it, once the server thread (whose request ids come
    // from RAND_bytes) has exited and freed its per-thread state. Initialized lazily on the
    // server thread instead, the cleanup ran first and LeakSanitizer saw that state leak.
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr);
    bl::Router router;
    auto echo = [](bl::HttpRequest& r, bl::Responder res) {
      std::string out = r.method + r.path + r.route + r.request_id;
      for (const auto& [k, v] : r.path_params)
        out += k + v;
      for (const char* name : {"limit", "after", "wait", "status"})
        out += r.query_param(name).value_or("");
      if (const auto* h = r.header("content-type")) out += *h;
      res.send(bl::HttpResponse::json(200, "{\"n\":" + std::to_string(out.size()) + "}"));
    };
    router.add("GET", "/v1/jobs", echo);
    router.add("POST", "/v1/jobs", echo);
    router.add("GET", "/v1/jobs/{id}", echo);
    router.add("POST", "/v1/jobs/{id}/cancel", 4096, echo);
    router.add("POST", "/v1/files", 1 << 20, echo);
    bl::HttpServerOptions o;
    o.max_body_bytes = 64 << 10;
    o.max_header_bytes = 8 << 10;
    o.read_write_timeout_s = 1;
    auto server = std::make_unique<bl::HttpServer>(o, std::move(router));
    if (!server->start().ok()) __builtin_trap();
    return server;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int port = server().port();
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Closed with a reset, so hundreds of thousands of inputs leave no TIME_WAIT ports behind.
  const linger reset{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    close(fd);
    return 0;  // the machine is out of ports for a moment; the server is in this process
  }
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  // Read until the server closes or answers nothing for 3 s (its own timeout is 1 s).
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, 3000) > 0 && read(fd, buf, sizeof(buf)) > 0) {
  }
  close(fd);
  return 0;
}
