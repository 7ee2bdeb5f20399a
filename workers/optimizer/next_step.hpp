#pragma once
// What an optimization run does next, decided from its folded stream and its jobs' outcomes
// alone (no clock, no randomness but job ids), so any manager, after any restart, decides the
// same step. A step is the run events to append at the run's current version, the jobs they
// submit (written in the same transaction), and queued jobs to cancel first.
//
//   created                         -> round 1: the seed prompt on every train example x model
//   evaluating, all jobs ended      -> (llm_judge) judge jobs, or the round's scores
//   judging, all judges ended       -> the round's scores
//   scored                          -> target reached or last round: validation of seed and
//                                      best; else one optimizer job per candidate slot
//   proposing, all ended            -> new, distinct candidates: the next round; none: validation
//   validating, all ended           -> OptimizationFinished with the validation scores
//   cancel requested                -> cancel queued jobs, OptimizationFinished(cancelled)
//   spend >= budget                 -> cancel queued jobs, OptimizationFinished(budget_exhausted)
//   paused                          -> nothing

#include <string>
#include <vector>

#include "workers/optimizer/optimization_run.hpp"
#include "workers/optimizer/run_jobs.hpp"

namespace bl {

struct RunStep {
  std::vector<NewEvent> run_events;
  JobSubmissions jobs;
  std::vector<Uuid> cancel;  // queued jobs of the run to cancel before the events
  bool empty() const { return run_events.empty(); }
};

// `run` must be folded with the keyring (spec and prompts open) and `outcomes` loaded with it.
Result<RunStep> next_step(const OptimizationRun& run, const RunJobOutcomes& outcomes,
                          const DataKeyring& ring);

// The optimizer's prompt for one variant: the scored history (best last) and the variant line.
std::string optimizer_history(const OptimizationRun& run, int variant, std::uint64_t seed);

// The prompt an optimizer's answer proposes (inside <prompt></prompt> when present), with the
// {input} placeholder added at the end when the answer dropped it (unless `keep_placeholder` is
// false); empty when unusable.
std::string proposed_prompt(std::string_view answer, bool keep_placeholder = true);

}  // namespace bl
