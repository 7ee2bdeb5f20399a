#pragma once
// Accounting of one server loop's connections. evhttp 2.1 has no connection limit, so the
// server makes each connection's bufferevent itself (evhttp_set_bevcb), counts it, and learns
// of its end from the connection's close callback: the server owns every connection's close
// callback. At the limit the loop's listener stops accepting and the kernel's backlog holds
// new clients until a connection ends. With TLS the bufferevent is an OpenSSL one.
//
// Owned by the loop thread; must outlive the loop's evhttp (evhttp_free closes connections).

#include <openssl/ssl.h>

struct bufferevent;
struct event_base;
struct evconnlistener;
struct evhttp_connection;

namespace bl {

class Gauge;

class ConnectionTracker {
 public:
  ConnectionTracker(int limit, SSL_CTX* tls, Gauge& open_gauge)
      : limit_(limit < 1 ? 1 : limit), tls_(tls), open_gauge_(open_gauge) {}
  ConnectionTracker(const ConnectionTracker&) = delete;
  ConnectionTracker& operator=(const ConnectionTracker&) = delete;

  void set_listener(evconnlistener* listener) { listener_ = listener; }
  int open() const { return open_; }

  // evhttp_set_bevcb callback; arg is the ConnectionTracker.
  static bufferevent* make_bufferevent(event_base* base, void* arg);

 private:
  struct Attach;
  static void attach(int, short, void* arg);
  static void on_close(evhttp_connection* connection, void* arg);
  void opened();
  void closed();

  const int limit_;
  SSL_CTX* const tls_;
  Gauge& open_gauge_;
  evconnlistener* listener_ = nullptr;
  int open_ = 0;
  bool paused_ = false;
};

}  // namespace bl
