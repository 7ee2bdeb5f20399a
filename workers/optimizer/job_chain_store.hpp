#pragma once
// Reading a job chain from the log, creating one, and writing its steps (with the draft prompt
// version a completed chain proposes) in one transaction each.

#include <optional>
#include <string>

#include "core/crypto.hpp"
#include "workers/optimizer/job_chain.hpp"

namespace bl {

struct JobChainSnapshot {
  JobChain chain;
  RunJobOutcomes outcomes;
};

Result<JobChainSnapshot> read_job_chain(pqxx::transaction_base& tx, const Uuid& chain,
                                        const DataKeyring* ring);

// The workspace that owns the chain, or nullopt when there is none.
std::optional<std::string> job_chain_workspace(pqxx::transaction_base& tx, const Uuid& chain);

// Creates the chain: its first event, the working job, the index row, and `extra` appends.
Status create_job_chain(pqxx::transaction_base& tx, const Uuid& chain, const Uuid& working_job,
                        const EventMetadata& owner, std::string started_data,
                        JobSubmissions working, std::vector<StreamAppend> extra);

// Writes one step at the chain's version: its events and jobs, and for a completed chain the
// draft version (into the chain's prompt when it is still the workspace's, else into a new
// prompt) named by the JobChainFinished event. kVersionConflict when the chain moved meanwhile.
Status write_job_chain_step(pqxx::transaction_base& tx, const DataKeyring& ring,
                            const JobChain& chain, ChainStep step);

}  // namespace bl
