#pragma once
// The mock LLM's own small HTTP/1.1 server on libevent bufferevents. Unlike core/http_server
// (evhttp) it can do what a misbehaving provider does: stream a chunked body piece by piece on
// timers, stop a stream halfway, drop a connection without an answer, or never answer. One
// loop per thread, each with its own listener on the same port (SO_REUSEPORT); thousands of
// held requests cost a socket and a pending timer each, never a thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/event_loop.hpp"
#include "core/http_server.hpp"
#include "core/result.hpp"

namespace bl {

// One request's answer, used on the connection's loop thread only. Every call is ignored
// once the connection is gone (the client gave up or the answer was dropped).
class MockExchange {
 public:
  struct Connection;
  explicit MockExchange(std::shared_ptr<Connection> conn) : conn_(std::move(conn)) {}

  void respond(int status, const HeaderList& headers, const std::string& body);
  // A chunked body: begin, any number of chunks, then end (or drop, for a truncated stream).
  void begin_stream(int status, const HeaderList& headers);
  void send_chunk(const std::string& data);
  void end_stream();
  // Closes the connection at once, whatever was sent so far.
  void drop();
  // Runs fn after delay_ms on this connection's loop (a timer; nothing sleeps).
  void after(std::int64_t delay_ms, std::function<void()> fn);
  bool open() const;

 private:
  std::shared_ptr<Connection> conn_;
};

using MockHandler = std::function<void(HttpRequest& request, std::shared_ptr<MockExchange>)>;

struct MockHttpOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int threads = 1;
  std::size_t max_body_bytes = 16 << 20;
};

class MockHttpServer {
 public:
  MockHttpServer(MockHttpOptions options, MockHandler handler);
  ~MockHttpServer();
  MockHttpServer(const MockHttpServer&) = delete;
  MockHttpServer& operator=(const MockHttpServer&) = delete;

  Status start();
  void stop();
  int port() const { return port_; }

 private:
  struct Thread;
  MockHttpOptions options_;
  MockHandler handler_;
  std::vector<std::unique_ptr<Thread>> threads_;
  int port_ = 0;
};

}  // namespace bl
