#pragma once
// Result lines of a batch, in each API's exact format. Every job of a batch gives exactly one
// line once it is terminal: OpenAI splits them between the output file (2xx responses) and
// the error file (everything else, including lines that expired or were cancelled); Anthropic
// writes one results stream.

#include <string>
#include <string_view>

#include "projections/batch_manager/batch_jobs.hpp"

namespace bl {

// Appends the job's line to *output or *errors; a job that is not terminal adds nothing.
void append_openai_result_line(const BatchJob& job, std::string* output, std::string* errors);

// Anthropic's error type for an HTTP status (529 overloaded_error, 0 and 5xx api_error, ...).
std::string_view anthropic_error_type(int status);

// Appends the job's Anthropic result line to *out; a job that is not terminal adds nothing.
void append_anthropic_result_line(const BatchJob& job, std::string* out);

}  // namespace bl
