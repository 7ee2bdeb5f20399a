#pragma once
// Validation of an Anthropic Message Batches create body,
//   {"requests": [{"custom_id": "...", "params": {Messages API params}}, ...]}
// into ordinary jobs. The Messages params are mapped onto the job's OpenAI-style request
// (system -> a system message, content blocks -> content parts, stop_sequences -> stop).
// Anthropic answers a bad create with one 400; so do we, naming the request and field.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "ingest/job_validation.hpp"

namespace bl {

inline constexpr std::string_view kAnthropicVersion2023 = "2023-06-01";
inline constexpr std::string_view kAnthropicVersion2026 = "2026-10-21";

struct AnthropicBatchInput {
  std::vector<ValidatedJob> jobs;
  std::optional<std::string> error;  // the first problem, for a 400
};

AnthropicBatchInput validate_anthropic_batch(std::string_view body, std::string_view version,
                                             const Config& config);

}  // namespace bl
