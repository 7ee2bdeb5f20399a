#pragma once
// Asynchronous HTTP client: libcurl's multi socket API driven by one EventLoop. Thousands of
// calls share the loop; connections are kept alive and, over TLS, multiplexed with HTTP/2
// when the server offers it. Owned and used by the loop thread only.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/event_loop.hpp"
#include "core/http_server.hpp"

namespace bl {

struct HttpCall {
  std::string method = "POST";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  long connect_timeout_ms = 5000;
  long timeout_ms = 120000;
  long low_speed_bytes = 1;     // abort when slower than this many bytes/s ...
  long low_speed_seconds = 60;  // ... for this long
  // Streaming: called with each body chunk as it arrives (on the loop thread); the result's
  // body then stays empty. Return false to abort the call.
  std::function<bool(std::string_view)> on_chunk;
};

struct HttpCallResult {
  int curl_code = 0;             // CURLcode; 0 is success at the transport level
  std::string curl_error;        // libcurl's text (never request or response content)
  bool address_refused = false;  // a public-addresses-only client refused the connection
  long status = 0;               // HTTP status, 0 when no response arrived
  std::string body;
  HeaderList headers;  // names lower-cased
  std::int64_t total_us = 0;
  std::int64_t first_byte_us = 0;

  bool transport_ok() const { return curl_code == 0; }
  bool timed_out() const;
  const std::string* header(std::string_view name) const;
};

class HttpClient {
 public:
  using CallId = std::uint64_t;
  using Done = std::function<void(HttpCallResult)>;

  // public_addresses_only: for URLs that API clients supply (webhooks). Connections go only to
  // public addresses (core/address_policy.hpp), checked as each connection opens, and calls
  // speak only http(s). A client is one or the other for its whole life, because libcurl
  // reuses open connections across calls: a call must never ride a connection opened without
  // the check.
  explicit HttpClient(EventLoop& loop, bool public_addresses_only = false);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts a call; `done` runs on the loop thread exactly once unless cancel() wins.
  CallId start(HttpCall call, Done done);
  // Aborts a call in flight; its `done` is not called. False when it already finished.
  bool cancel(CallId id);
  std::size_t in_flight() const { return calls_.size(); }

 private:
  struct Call;
  struct Socket;
  static int on_socket(void* easy, int fd, int what, void* clientp, void* socketp);
  static int on_timer(void* multi, long timeout_ms, void* clientp);
  static void on_event(evutil_socket_t fd, short events, void* arg);
  static void on_timeout(evutil_socket_t fd, short events, void* arg);
  void socket_action(int fd, int ev_bitmask);
  void finish_completed();

  EventLoop& loop_;
  const bool public_addresses_only_;
  void* multi_;  // CURLM*
  EventPtr timer_;
  CallId next_id_ = 1;
  std::unordered_map<CallId, std::unique_ptr<Call>> calls_;
};

}  // namespace bl
