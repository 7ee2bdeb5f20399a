#pragma once
// Turns the lines of a user's JSONL file into OpenAI batch input lines for `batchline submit`.
// A line may already be a batch line ({"custom_id", "method", "url", "body"}), or a request
// body ({"messages": [...], ...}), or {"prompt": "text", ...} (one user message). The model
// given on the command line is set on every body; custom_id defaults to "line-N" (1-based).

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bl {

struct BatchInputFile {
  std::string jsonl;  // OpenAI batch input, one line per request
  int requests = 0;
};

// Fails naming the first bad line (by number, never its content).
Result<BatchInputFile> to_batch_input(std::string_view content, const std::string& model);

}  // namespace bl
