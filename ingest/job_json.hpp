#pragma once
// The API's JSON view of a job. Content (the completion, a provider's error text) is opened
// here, for the job's owner, and nowhere else on the read path.

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "projections/job_row.hpp"

namespace bl {

// Writes {"id", "object": "job", "status", ..., "result", "error"}.
void write_job_json(JsonWriter& w, const JobRow& row, const DataKeyring& ring);

}  // namespace bl
