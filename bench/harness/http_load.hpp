#pragma once
// A closed-loop HTTP load generator on libcurl multi (one thread): `concurrency` clients, each
// sending its next request as soon as the previous answer arrived, over keep-alive connections.
// It is the load of the ingest and mock-capacity figures, so it stays cheap per request.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace bl::bench {

struct HttpCall {
  std::string method = "POST";
  std::string url;
  std::string body;
  std::vector<std::string> headers;
};

struct HttpLoadResult {
  std::size_t ok = 0;                // 2xx answers
  std::size_t failed = 0;            // anything else, transport errors included
  double seconds = 0;                // wall time of the whole run
  std::vector<double> latencies_ms;  // per call, in completion order
  long first_failure_status = 0;     // 0: transport error or none
};

// Sends calls 0..count-1 (make(i) builds call i) with at most `concurrency` in flight.
HttpLoadResult run_http_load(std::size_t count, int concurrency,
                             const std::function<HttpCall(std::size_t)>& make);

}  // namespace bl::bench
