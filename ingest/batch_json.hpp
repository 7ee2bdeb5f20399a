#pragma once
// The API's JSON views of a batch: OpenAI's Batch object (with Batchline's "progress" beside
// OpenAI's fields) and Anthropic's MessageBatch object. The metadata a user attached is opened
// here, for the batch's owner.

#include <cstdint>
#include <string>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "projections/batch_row.hpp"

namespace bl {

void write_openai_batch_json(JsonWriter& w, const BatchRow& batch, const DataKeyring& ring,
                             std::int64_t now_ms);

// results_base: the absolute base URL of the API (scheme://host[:port]).
void write_anthropic_batch_json(JsonWriter& w, const BatchRow& batch,
                                const std::string& results_base);

// "2024-08-20T18:37:24.100Z"
std::string rfc3339_ms(std::int64_t ms);

}  // namespace bl
