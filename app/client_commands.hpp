#pragma once
// The API client commands of the batchline binary (docs/cli.md): submit, results, jobs.
// They talk to a running ingest over HTTP; base URL and key from --url/--api-key or
// BL_URL/BL_API_KEY.

#include <string>

namespace bl {

// Exit codes, documented in docs/cli.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRequestsFailed = 1;  // the batch ended, not every request succeeded
inline constexpr int kExitUsage = 2;           // bad flags or input file
inline constexpr int kExitRefused = 3;         // the API answered 4xx
inline constexpr int kExitUnavailable = 4;     // no answer, or 5xx

bool is_client_command(const std::string& command);
int run_client_command(const std::string& command, int argc, char** argv);

}  // namespace bl
