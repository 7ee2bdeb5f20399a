#include "workers/mock_llm/mock_http.hpp"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>

#include <cctype>
#include <charconv>

namespace bl {
namespace {

constexpr std::size_t kMaxHeaderBytes = 64 << 10;

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 529:
      return "Overloaded";
    default:
      return "Status";
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

struct MockExchange::Connection : std::enable_shared_from_this<MockExchange::Connection> {
  event_base* base = nullptr;
  bufferevent* bev = nullptr;
  const MockHandler* handler = nullptr;
  std::size_t max_body_bytes = 0;
  bool busy = false;       // a request is being answered
  bool keep_alive = true;  // of the current request
  bool close_after_write = false;
  std::shared_ptr<Connection> self;  // the connection owns itself until closed

  void close() {
    if (bev == nullptr) return;
    bufferevent_free(bev);  // closes the socket
    bev = nullptr;
    self.reset();  // may destroy this
  }

  void write(const std::string& data) {
    if (bev != nullptr) bufferevent_write(bev, data.data(), data.size());
  }

  void answered() {
    busy = false;
    if (!keep_alive) {
      close_after_write = true;
      if (bev != nullptr && evbuffer_get_length(bufferevent_get_output(bev)) == 0) close();
      return;
    }
    read_requests();
  }

  // Parses and dispatches complete requests, one at a time.
  void read_requests() {
    if (bev == nullptr || busy) return;
    evbuffer* in = bufferevent_get_input(bev);
    evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, nullptr);
    if (end.pos < 0) {
      if (evbuffer_get_length(in) > kMaxHeaderBytes) close();
      return;
    }
    const std::size_t head_len = static_cast<std::size_t>(end.pos) + 4;
    std::string head(head_len, '\0');
    evbuffer_copyout(in, head.data(), head_len);
    HttpRequest req;
    std::size_t content_length = 0;
    keep_alive = true;
    std::size_t line_end = head.find("\r\n");
    {
      std::string_view line(head.data(), line_end);
      const std::size_t sp1 = line.find(' ');
      const std::size_t sp2 = line.rfind(' ');
      if (sp1 == std::string_view::npos || sp2 == sp1) return close();
      req.method = std::string(line.substr(0, sp1));
      std::string target(line.substr(sp1 + 1, sp2 - sp1 - 1));
      if (auto q = target.find('?'); q != std::string::npos) {
        req.query = target.substr(q + 1);
        target.resize(q);
      }
      req.path = target;
      if (line.substr(sp2 + 1) == "HTTP/1.0") keep_alive = false;
    }
    std::size_t pos = line_end + 2;
    while (pos < head_len - 2) {
      std::size_t eol = head.find("\r\n", pos);
      std::string_view line(head.data() + pos, eol - pos);
      pos = eol + 2;
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name = lower(line.substr(0, colon));
      std::string value = trimmed(line.substr(colon + 1));
      if (name == "content-length") {
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), content_length);
        if (ec != std::errc()) return close();
      } else if (name == "connection") {
        if (lower(value) == "close") keep_alive = false;
      } else if (name == "transfer-encoding") {
        return close();  // chunked request bodies: no client of the mock sends them
      }
      req.headers.emplace_back(std::move(name), std::move(value));
    }
    if (content_length > max_body_bytes) return close();
    if (evbuffer_get_length(in) < head_len + content_length) return;  // body still arriving
    evbuffer_drain(in, head_len);
    req.body.resize(content_length);
    evbuffer_remove(in, req.body.data(), content_length);
    busy = true;
    (*handler)(req, std::make_shared<MockExchange>(shared_from_this()));
  }

  static void on_read(bufferevent*, void* arg) { static_cast<Connection*>(arg)->read_requests(); }
  static void on_write(bufferevent* bev, void* arg) {
    auto* c = static_cast<Connection*>(arg);
    if (c->close_after_write && evbuffer_get_length(bufferevent_get_output(bev)) == 0) c->close();
  }
  static void on_event(bufferevent*, short events, void* arg) {
    if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) static_cast<Connection*>(arg)->close();
  }
};

bool MockExchange::open() const {
  return conn_->bev != nullptr;
}

void MockExchange::respond(int status, const HeaderList& headers, const std::string& body) {
  if (!open() || !conn_->busy) return;
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
  for (const auto& [k, v] : headers)
    head += k + ": " + v + "\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!conn_->keep_alive) head += "Connection: close\r\n";
  head += "\r\n";
  conn_->write(head);
  conn_->write(body);
  conn_->answered();
}

void MockExchange::begin_stream(int status, const HeaderList& headers) {
  if (!open() || !conn_->busy) return;
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
  for (const auto& [k, v] : headers)
    head += k + ": " + v + "\r\n";
  head += "Transfer-Encoding: chunked\r\n";
  if (!conn_->keep_alive) head += "Connection: close\r\n";
  head += "\r\n";
  conn_->write(head);
}

void MockExchange::send_chunk(const std::string& data) {
  if (!open() || !conn_->busy || data.empty()) return;
  char size[32];
  auto [p, ec] = std::to_chars(size, size + sizeof(size), data.size(), 16);
  conn_->write(std::string(size, p) + "\r\n" + data + "\r\n");
}

void MockExchange::end_stream() {
  if (!open() || !conn_->busy) return;
  conn_->write("0\r\n\r\n");
  conn_->answered();
}

void MockExchange::drop() {
  conn_->close();
}

void MockExchange::after(std::int64_t delay_ms, std::function<void()> fn) {
  if (delay_ms <= 0 && open()) return fn();
  auto* pending = new std::function<void()>(std::move(fn));
  timeval tv{static_cast<time_t>(delay_ms / 1000),
             static_cast<suseconds_t>((delay_ms % 1000) * 1000)};
  auto fire = [](evutil_socket_t, short, void* arg) {
    std::unique_ptr<std::function<void()>> f(static_cast<std::function<void()>*>(arg));
    (*f)();
  };
  if (event_base_once(conn_->base, -1, EV_TIMEOUT, fire, pending, &tv) != 0) {
    delete pending;
  }
}

struct MockHttpServer::Thread {
  EventLoop loop;
  evconnlistener* listener = nullptr;
  std::thread thread;
  MockHttpServer* server = nullptr;

  static void on_accept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* arg) {
    auto* t = static_cast<Thread*>(arg);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    bufferevent* bev = bufferevent_socket_new(t->loop.base(), fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == nullptr) {
      evutil_closesocket(fd);
      return;
    }
    auto conn = std::make_shared<MockExchange::Connection>();
    conn->base = t->loop.base();
    conn->bev = bev;
    conn->handler = &t->server->handler_;
    conn->max_body_bytes = t->server->options_.max_body_bytes;
    conn->self = conn;
    bufferevent_setcb(bev, &MockExchange::Connection::on_read, &MockExchange::Connection::on_write,
                      &MockExchange::Connection::on_event, conn.get());
    bufferevent_enable(bev, EV_READ | EV_WRITE);
  }
};

MockHttpServer::MockHttpServer(MockHttpOptions options, MockHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

MockHttpServer::~MockHttpServer() {
  stop();
}

Status MockHttpServer::start() {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (inet_pton(AF_INET, options_.host.c_str(), &addr.sin_addr) != 1) {
    return Error::invalid("mock host must be an IPv4 address");
  }
  port_ = options_.port;
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    auto t = std::make_unique<Thread>();
    t->server = this;
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    t->listener =
        evconnlistener_new_bind(t->loop.base(), &Thread::on_accept, t.get(),
                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT,
                                4096, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    if (t->listener == nullptr) return Error::unavailable("mock could not listen");
    if (port_ == 0) {
      sockaddr_in bound{};
      socklen_t len = sizeof(bound);
      getsockname(evconnlistener_get_fd(t->listener), reinterpret_cast<sockaddr*>(&bound), &len);
      port_ = ntohs(bound.sin_port);
    }
    threads_.push_back(std::move(t));
  }
  for (auto& t : threads_) {
    Thread* raw = t.get();
    raw->thread = std::thread([raw] { raw->loop.run(); });
  }
  return {};
}

void MockHttpServer::stop() {
  for (auto& t : threads_) {
    t->loop.stop();
    if (t->thread.joinable()) t->thread.join();
    if (t->listener != nullptr) evconnlistener_free(t->listener);
    t->listener = nullptr;
  }
  threads_.clear();
}

}  // namespace bl
