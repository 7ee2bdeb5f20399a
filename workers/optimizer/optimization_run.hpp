#pragma once
// An optimization run is a stream of its own (stream type "optimization"). Its events, and
// the fold that gives the run's state. The state names every job the run submitted and the
// phase those jobs belong to; scores are recorded in the run's events once per phase, computed
// from the set of that phase's job results, so a score can never be counted twice.
//
//   OptimizationCreated            spec (sealed), models, rounds, ...
//   OptimizationRoundStarted       round r: new candidates (prompts sealed) + their eval jobs
//   OptimizationJudgesRequested    llm_judge scorer: one judge job per succeeded eval job
//   OptimizationRoundScored        train score per candidate (and per model)
//   OptimizationProposalsRequested one optimizer job per candidate slot of round r + 1
//   OptimizationValidationStarted  why the search stopped; validation jobs of seed and best
//   OptimizationFinished           status, reason, best, validation scores
//   OptimizationPaused | OptimizationResumed | OptimizationCancelRequested

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "core/event_log.hpp"
#include "core/ids.hpp"
#include "core/job_events.hpp"
#include "workers/optimizer/optimization_spec.hpp"

namespace bl {

inline constexpr std::string_view kOptimizationStreamType = "optimization";

namespace optimization_event {
inline constexpr std::string_view kCreated = "OptimizationCreated";
inline constexpr std::string_view kRoundStarted = "OptimizationRoundStarted";
inline constexpr std::string_view kJudgesRequested = "OptimizationJudgesRequested";
inline constexpr std::string_view kRoundScored = "OptimizationRoundScored";
inline constexpr std::string_view kProposalsRequested = "OptimizationProposalsRequested";
inline constexpr std::string_view kValidationStarted = "OptimizationValidationStarted";
inline constexpr std::string_view kFinished = "OptimizationFinished";
inline constexpr std::string_view kPaused = "OptimizationPaused";
inline constexpr std::string_view kResumed = "OptimizationResumed";
inline constexpr std::string_view kCancelRequested = "OptimizationCancelRequested";
}  // namespace optimization_event

struct CandidateScore {
  double score = 0;
  std::map<std::string, double> by_model;
};

struct Candidate {
  std::string id;  // "c<round>.<k>": the same for the same seed
  std::string parent_id;
  int round = 0;
  std::string prompt;  // opened only when the run was read with a keyring
  std::optional<CandidateScore> train;
  std::optional<CandidateScore> validation;
};

// One job of the current phase. Eval jobs name a candidate, an example (index into the
// phase's split) and a model; judge jobs name the eval job they judge; optimizer jobs name
// their variant number.
struct RunJob {
  Uuid job;
  std::string candidate_id;
  int example = -1;
  std::string model;
  std::optional<Uuid> judged_job;
  int variant = -1;
};

enum class RunPhase { kCreated, kEvaluating, kJudging, kScored, kProposing, kFinished };

struct OptimizationRun {
  Uuid id;
  int version = 0;
  EventMetadata owner;  // of OptimizationCreated
  std::int64_t created_ms = 0;
  std::optional<OptimizationSpec> spec;  // opened only with a keyring
  std::vector<std::string> models;
  int rounds = 0;
  int candidates_per_round = 0;
  std::string status = "running";  // running | paused | cancelling | completed | cancelled
  std::string
      stop_reason;  // target_reached | rounds_done | converged | budget_exhausted | cancelled
  int round = 0;
  RunPhase phase = RunPhase::kCreated;
  bool validating = false;     // the current eval/judge phase is the validation
  std::vector<RunJob> evals;   // eval jobs of the current (or last) evaluation phase
  std::vector<RunJob> judges;  // judge jobs of the current phase
  std::vector<RunJob> proposals;
  std::vector<Candidate> candidates;  // in the order they were made
  std::vector<Uuid> jobs;             // every job of the run
  std::string best_candidate_id;
};

// Folds a run's events; `ring` opens prompts and the spec (nullptr: clear fields only).
Result<OptimizationRun> fold_optimization(const std::vector<RecordedEvent>& events,
                                          const DataKeyring* ring);

// The best candidate by train score (ties: the earliest); nullptr when none is scored.
const Candidate* best_candidate(const OptimizationRun& run);
const Candidate* find_candidate(const OptimizationRun& run, std::string_view id);

// Event data encoders; prompts and the spec are sealed under the run's id.
Result<std::string> encode_created(const OptimizationSpec& spec, const DataKeyring& ring,
                                   const Uuid& run);
Result<std::string> encode_round_started(int round, const std::vector<Candidate>& added,
                                         const std::vector<RunJob>& jobs, const DataKeyring& ring,
                                         const Uuid& run);
std::string encode_judges_requested(const std::vector<RunJob>& jobs);
std::string encode_scores(int round, const std::vector<std::pair<std::string, CandidateScore>>& s);
std::string encode_proposals_requested(int round, const std::vector<RunJob>& jobs);
std::string encode_validation_started(std::string_view reason, const std::vector<RunJob>& jobs);
std::string encode_finished(std::string_view status, std::string_view reason, std::string_view best,
                            const std::vector<std::pair<std::string, CandidateScore>>& validation);

}  // namespace bl
