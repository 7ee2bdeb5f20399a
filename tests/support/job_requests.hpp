#pragma once
// Requests to the jobs API that tests send over and over.

#include <optional>
#include <string>
#include <vector>

namespace bl::test {

// A POST /v1/jobs body of `count` jobs numbered from `first`: custom id "job-<n>", a system
// message "be brief" and the user message "question <n>" (the mock answers "Echo: question
// <n>"). Priority is left to the default when not given.
std::string jobs_body(int first, int count, const std::string& model = "test-model",
                      std::optional<int> priority = std::nullopt);

// The job API ids of a 202 answer to POST /v1/jobs, in order; empty when unparsable.
std::vector<std::string> job_ids(const std::string& response_body);

}  // namespace bl::test
