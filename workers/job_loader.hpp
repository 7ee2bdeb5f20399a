#pragma once
// Loads the jobs behind a batch of deliveries from the event log (one query), on a database
// thread. A delivery is skipped when its job is already terminal or the delivery is stale
// (its attempt is not the job's current attempt): duplicates never reach a provider.

#include <optional>
#include <vector>

#include "config/config.hpp"
#include "core/crypto.hpp"
#include "core/job_events.hpp"
#include "core/job_lifecycle.hpp"
#include "core/pg.hpp"
#include "workers/delivery.hpp"

namespace bl {

struct LoadedJob {
  Delivery delivery;
  bool skip = false;        // nothing to call: acknowledge and move on
  bool unreadable = false;  // the request cannot be decrypted: the job fails
  int version = 0;          // stream version the result must follow
  JobState state = JobState::kNone;
  JobSubmitted submitted;  // request decrypted
  EventMetadata metadata;
};

// Throws libpqxx exceptions (the caller retries); decryption failures mark the job failed.
// With config, a use_history job's request gets its conversation's earlier messages
// (projections/conversation_context.hpp).
std::vector<LoadedJob> load_jobs(pqxx::connection& conn, const DataKeyring& ring,
                                 std::vector<Delivery> deliveries, const Config* config = nullptr);

}  // namespace bl
