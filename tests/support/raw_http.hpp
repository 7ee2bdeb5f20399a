#pragma once
// Bare TCP clients for tests of the HTTP server's limits: connections that stay idle, send
// a request piece by piece, or wait for an answer with a deadline; and a test certificate.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/test_env.hpp"

namespace bl::test {

class RawConnection {
 public:
  explicit RawConnection(int port);  // connects to 127.0.0.1:port
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(const std::string& bytes);
  // Reads until a whole response arrived, the peer closed, or `timeout` passed.
  std::string receive(std::chrono::milliseconds timeout);
  // True when the server closed the connection (a read returns end of file) within timeout.
  bool closed_by_peer(std::chrono::milliseconds timeout);
  void close();

 private:
  int fd_ = -1;
};

// The status code of a raw HTTP response, or 0.
int status_of_raw(const std::string& response);

// Writes a self-signed certificate for 127.0.0.1 and its key into dir; false on failure.
bool make_test_certificate(const std::string& dir, std::string* cert, std::string* key);

}  // namespace bl::test
