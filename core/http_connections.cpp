#include "core/http_connections.hpp"

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include <memory>

#include "core/log.hpp"
#include "core/metrics.hpp"

namespace bl {

// Runs right after evhttp has wrapped the new bufferevent in a connection (it was activated
// from make_bufferevent, inside the accept callback, so it runs before any I/O of the new
// connection). The extra reference keeps the bufferevent valid until then.
struct ConnectionTracker::Attach {
  ConnectionTracker* tracker;
  bufferevent* bev;
  bool refuse = false;  // TLS could not be set up: close rather than serve in plain text
  event* ev = nullptr;
};

bufferevent* ConnectionTracker::make_bufferevent(event_base* base, void* arg) {
  auto* self = static_cast<ConnectionTracker*>(arg);
  bufferevent* bev = nullptr;
  bool refuse = false;
  if (self->tls_ != nullptr) {
    SSL* ssl = SSL_new(self->tls_);
    if (ssl != nullptr) {
      bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                           BEV_OPT_CLOSE_ON_FREE);
      if (bev == nullptr) SSL_free(ssl);
    }
    if (bev != nullptr) bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    refuse = bev == nullptr;
  }
  // evhttp would make a plain bufferevent if we returned none: make it, and close it at once
  // when TLS was wanted.
  if (bev == nullptr) bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
  if (bev == nullptr) return nullptr;  // out of memory: evhttp fails the connection too
  auto* a = new Attach{self, bev, refuse};
  a->ev = event_new(base, -1, 0, &ConnectionTracker::attach, a);
  if (a->ev == nullptr) {
    delete a;
    return bev;  // served, but not counted
  }
  bufferevent_incref(bev);
  self->opened();
  event_active(a->ev, EV_TIMEOUT, 0);
  return bev;
}

void ConnectionTracker::attach(int, short, void* arg) {
  std::unique_ptr<Attach> a(static_cast<Attach*>(arg));
  event_free(a->ev);
  // evhttp set the bufferevent's callbacks with the connection as their argument; a
  // bufferevent it already freed has none.
  void* connection = nullptr;
  bufferevent_getcb(a->bev, nullptr, nullptr, nullptr, &connection);
  if (connection != nullptr && !a->refuse) {
    evhttp_connection_set_closecb(static_cast<evhttp_connection*>(connection),
                                  &ConnectionTracker::on_close, a->tracker);
  } else {
    if (connection != nullptr) {
      log::error("http.tls_setup_failed", {});
      evhttp_connection_free(static_cast<evhttp_connection*>(connection));
    }
    a->tracker->closed();
  }
  bufferevent_decref(a->bev);
}

void ConnectionTracker::on_close(evhttp_connection*, void* arg) {
  static_cast<ConnectionTracker*>(arg)->closed();
}

void ConnectionTracker::opened() {
  ++open_;
  open_gauge_.add(1);
  if (open_ >= limit_ && !paused_ && listener_ != nullptr) {
    evconnlistener_disable(listener_);
    paused_ = true;
    log::warn("http.connection_limit", {{"open", open_}, {"limit", limit_}});
  }
}

void ConnectionTracker::closed() {
  --open_;
  open_gauge_.add(-1);
  if (paused_ && open_ < limit_ && listener_ != nullptr) {
    evconnlistener_enable(listener_);
    paused_ = false;
  }
}

}  // namespace bl
