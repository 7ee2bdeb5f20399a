#pragma once
// Blocking HTTP client for the command-line client commands (submit, results, jobs): one call
// at a time with libcurl's easy API, Authorization from the API key. The server's roles use
// core/http_client.hpp instead; a CLI has no event loop to share.

#include <string>
#include <utility>
#include <vector>

namespace bl {

struct ApiReply {
  long status = 0;        // HTTP status; 0 when no response arrived
  std::string body;       // the response body
  std::string transport;  // libcurl's error text when status is 0
  bool ok() const { return status >= 200 && status < 300; }
  // "HTTP 404: <error.message>" or the transport error, for the user's terminal.
  std::string describe() const;
};

class ApiClient {
 public:
  // base_url: "http://127.0.0.1:8080" (no trailing /v1).
  ApiClient(std::string base_url, std::string api_key);
  ApiReply get(const std::string& path) const;
  ApiReply post_json(const std::string& path, const std::string& body) const;
  // multipart/form-data: text fields, then one file part named "file".
  ApiReply post_file(const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& fields,
                     const std::string& filename, const std::string& content) const;

 private:
  ApiReply call(const std::string& method, const std::string& path, const std::string& body,
                const std::vector<std::pair<std::string, std::string>>* fields,
                const std::string& filename) const;

  std::string base_url_;
  std::string api_key_;
};

}  // namespace bl
