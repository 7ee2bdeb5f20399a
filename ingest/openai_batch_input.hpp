#pragma once
// Validation of an OpenAI batch input file (JSONL), every line before the batch starts:
//   {"custom_id": "...", "method": "POST", "url": "/v1/chat/completions", "body": {...}}
// Errors use OpenAI's codes and 1-based line numbers: invalid_json_line, duplicate_custom_id,
// url_mismatch, model_mismatch, empty_file, too_many_tasks, plus invalid_request for a body the
// chat-completions validation rejects. The body becomes an ordinary job.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/batch_events.hpp"
#include "ingest/job_validation.hpp"

namespace bl {

inline constexpr std::string_view kChatCompletionsEndpoint = "/v1/chat/completions";

struct BatchInput {
  std::vector<ValidatedJob> jobs;      // in line order; empty when errors is not
  std::vector<BatchLineError> errors;  // at most kMaxReportedLineErrors
  std::optional<std::string> model;
};

inline constexpr std::size_t kMaxReportedLineErrors = 100;

BatchInput validate_openai_batch_input(std::string_view content, std::string_view endpoint,
                                       const Config& config);

}  // namespace bl
