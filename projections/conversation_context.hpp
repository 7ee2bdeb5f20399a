#pragma once
// Context for jobs submitted with use_history: true (contract 2). When the worker's loader has
// opened such a job's request, add_conversation_history() prepends the conversation's earlier
// exchanges (request messages and result of each earlier job of the same workspace that
// succeeded), newest kept first, within the model's context window: window - max_tokens - the
// job's own request, with tokens estimated conservatively (one per 3 bytes, plus 8 per message).
// The history is read from the log, not the read model, so a follow-up job sees its
// predecessor's result even while the projection lags. A deleted conversation gives none.

#include "config/config.hpp"
#include "core/job_events.hpp"
#include "core/pg.hpp"

namespace bl {

// Conservative token estimate of a message list's JSON.
std::int64_t estimated_tokens(std::string_view messages_json, std::size_t message_count);

// Rewrites submitted.request_json with the history in front of the job's own non-system
// messages (nothing to do unless submitted.use_history). Throws libpqxx exceptions like the
// loader's other reads.
Status add_conversation_history(pqxx::connection& conn, const Config& config, const Uuid& job,
                                const EventMetadata& metadata, JobSubmitted& submitted);

}  // namespace bl
