#pragma once
// What an optimization run is asked to do (POST /v1/optimizations), validated once at create
// and then kept sealed in the run's first event. Everything the process manager decides later
// follows from this and the results of the run's jobs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/json.hpp"
#include "core/result.hpp"

namespace bl {

struct DatasetExample {
  std::string input;
  std::string expected;
};

// How an output is compared with the expected output; every score is in [0, 1].
struct ScorerSpec {
  std::string type = "exact";  // exact | contains | regex | json_field | numeric | llm_judge
  std::string field;           // json_field: the member of the output object to compare
  double tolerance = 0;        // numeric: |output - expected| <= tolerance scores 1
  std::string judge_prompt;    // llm_judge: with {input}, {output} and {expected}
  std::string judge_model;     // llm_judge
};

struct OptimizationSpec {
  std::string task_prompt;  // holds {input}
  std::vector<DatasetExample> train;
  std::vector<DatasetExample> validation;
  std::vector<std::string> models;
  ScorerSpec scorer;
  std::string optimizer_model;
  std::string meta_prompt;
  int rounds = 5;
  int candidates_per_round = 4;
  std::int64_t budget_tokens = 0;    // 0: no ceiling
  std::int64_t budget_nano_usd = 0;  // 0: no ceiling
  std::optional<double> target_score;
  std::uint64_t seed = 0;
  int max_tokens = 256;  // per call
};

inline constexpr std::string_view kInputPlaceholder = "{input}";
inline constexpr std::size_t kMaxPromptBytes = 32 * 1024;
inline constexpr std::size_t kMaxExamples = 1000;
inline constexpr std::size_t kMaxExampleBytes = 16 * 1024;

// The default meta-prompt (OPRO's shape): the scored history follows it, best last.
std::string_view default_meta_prompt();

// Parses and validates a request body. `examples` comes from the body's dataset.examples, or
// the caller passes the lines of a dataset file (then dataset.examples must be absent). The
// error's param names the offending field.
Result<OptimizationSpec> parse_optimization_spec(const JsonValue& body, const Config& config,
                                                 const std::vector<DatasetExample>* file_examples);

// Dataset lines of a JSONL file: {"input": ..., "expected": ...} per line.
Result<std::vector<DatasetExample>> parse_dataset_lines(std::string_view jsonl);

// The spec as JSON (sealed in the run's first event) and back.
std::string spec_json(const OptimizationSpec& spec);
Result<OptimizationSpec> decode_spec_json(std::string_view json);

// The task prompt with {input} replaced (every occurrence).
std::string fill_prompt(std::string_view prompt, std::string_view input);

}  // namespace bl
