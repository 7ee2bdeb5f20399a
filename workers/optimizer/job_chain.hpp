#pragma once
// A job chain (Metasync's model): a working job, then an eval job that judges its output
// (stored as the chain's evaluation), then a meta job that proposes an improved prompt (stored
// as a new draft version in the prompt library, linked from the chain). Optional JSON-output
// mode: the working output must parse as JSON; one repair job gets a chance to fix it, else the
// chain fails with json_parse_error. Every call is an ordinary job, metered like any.
//
// The chain is a stream of its own (stream type "job_chain"), advanced by the optimization
// manager exactly as a run is: a pure next step from the stream and its jobs' outcomes,
// appended at the expected version with the jobs it submits.
//
//   JobChainStarted         working job; models; prompts (sealed)
//   JobChainRepairRequested JSON mode, the output did not parse: one repair job
//   JobChainEvalRequested   the output (sealed) and the eval job
//   JobChainMetaRequested   the evaluation (sealed) and its score, and the meta job
//   JobChainFinished        completed (prompt id + version of the draft) | failed (error code)

#include <optional>
#include <string>

#include "core/crypto.hpp"
#include "core/event_log.hpp"
#include "workers/optimizer/run_jobs.hpp"

namespace bl {

inline constexpr std::string_view kJobChainStreamType = "job_chain";
inline constexpr std::string_view kJobChainStarted = "JobChainStarted";

struct JobChainSpec {
  std::string working_prompt;  // the working job's last user message, for the meta call
  std::string eval_model;
  std::string eval_prompt;
  std::string meta_model;
  std::string meta_prompt;
  bool json_output = false;
  std::optional<Uuid> prompt_id;  // the library prompt the job came from (draft goes there)
  int max_tokens = 1024;
};

struct JobChain {
  Uuid id;
  int version = 0;
  EventMetadata owner;
  std::int64_t created_ms = 0;
  Uuid working_job;
  std::string working_model;
  JobChainSpec spec;  // prompts opened only with a keyring
  std::optional<Uuid> repair_job;
  std::optional<Uuid> eval_job;
  std::optional<Uuid> meta_job;
  std::string output;      // the working (or repaired) output, opened
  std::string evaluation;  // opened
  std::optional<double> score;
  std::string status = "running";  // running | completed | failed
  std::string error;               // failed: working_job_failed | json_parse_error | ...
  std::optional<Uuid> proposed_prompt_id;
  int proposed_version = 0;
  std::vector<Uuid> jobs() const;
};

Result<JobChain> fold_job_chain(const std::vector<RecordedEvent>& events, const DataKeyring* ring);

Result<std::string> encode_chain_started(const JobChainSpec& spec, const Uuid& working_job,
                                         std::string_view working_model, const DataKeyring& ring,
                                         const Uuid& chain);

// The next step: events for the chain's stream, jobs to submit, and, when the chain completes,
// the proposed prompt text to store as a draft version (the caller writes it and its id into
// the JobChainFinished event: see finish_chain_with_prompt).
struct ChainStep {
  std::vector<NewEvent> events;
  JobSubmissions jobs;
  std::optional<std::string> proposed_prompt;
  std::string new_status;
};
Result<ChainStep> next_chain_step(const JobChain& chain, const RunJobOutcomes& outcomes,
                                  const DataKeyring& ring);

// The JobChainFinished event of a completed chain, naming the draft written.
NewEvent chain_finished_event(const Uuid& prompt_id, int version);

}  // namespace bl
