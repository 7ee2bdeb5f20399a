#pragma once
// Validation of submitted jobs. Every job of a request is checked before any is written; the
// error lists each bad item with its index and field.

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/api_error.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"

namespace bl {

inline constexpr std::size_t kMaxClientReferenceBytes = 4096;

struct ValidatedJob {
  std::string model;
  int priority = 500;
  std::optional<std::string> custom_id;
  int max_tokens = 0;
  std::string request_json;  // {"messages": [...], "parameters": {...}}: sealed when stored
  std::optional<Uuid> conversation_id;
  bool use_history = false;
  std::string client_reference_json;  // compact JSON, empty when absent: sealed when stored
};

struct ValidationResult {
  std::vector<ValidatedJob> jobs;
  std::optional<ApiError> error;
};

// body: one job object, or {"jobs": [job, ...]}.
ValidationResult validate_jobs(std::string_view body, const Config& config);

}  // namespace bl
