#pragma once
// Client-side helpers for the Files and Batch API tests: multipart bodies in both of the
// OpenAI SDK's shapes, batch input lines, and polling a batch to a status.

#include <map>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "tests/support/pipeline.hpp"

namespace bl::test {

// One OpenAI batch input line for a chat completion.
std::string batch_line(const std::string& custom_id, const std::string& prompt,
                       const std::string& model = "test-model");
// `count` lines with custom ids "req-0", "req-1", ...
std::string batch_lines(int count, const std::string& model = "test-model");

// A multipart/form-data body with the given fields in order; the part named "file" carries
// filename "input.jsonl".
std::string multipart_body(const std::string& boundary,
                           const std::vector<std::pair<std::string, std::string>>& fields);

// Uploads content as a batch file; returns the file id ("" on failure, with *response set).
std::string upload_batch_file(const Pipeline& p, const std::string& content, bool chunked = false,
                              HttpResult* response = nullptr);

// POST /v1/batches for a file; the response.
HttpResult create_batch(const Pipeline& p, const std::string& file_id,
                        const std::string& extra_fields = "");

// Polls GET /v1/batches/{id} until its status is `status`; returns the last body parsed.
JsonDocument wait_for_batch_status(const Pipeline& p, const std::string& batch_id,
                                   const std::string& status,
                                   std::chrono::milliseconds deadline = std::chrono::seconds(60));

// The lines of a JSONL text, parsed, keyed by custom_id (a custom_id seen twice counts twice in
// *duplicates).
std::map<std::string, std::string> lines_by_custom_id(const std::string& jsonl, int* duplicates);

JsonDocument parse_or_die(const std::string& body);

}  // namespace bl::test
