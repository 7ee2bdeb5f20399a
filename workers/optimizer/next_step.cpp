#include "workers/optimizer/next_step.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "workers/optimizer/scorer.hpp"

namespace bl {
namespace {

namespace ev = optimization_event;

// Prompts the optimizer sees per call (the best ones, as OPRO keeps its top scores).
constexpr std::size_t kHistoryPrompts = 20;

using Scores = std::vector<std::pair<std::string, CandidateScore>>;

EventMetadata job_metadata(const OptimizationRun& run) {
  EventMetadata m = run.owner;
  m.request_id = "optimization:" + run.id.to_string();
  m.correlation_id.reset();
  return m;
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

bool all_ended(const std::vector<RunJob>& jobs, const RunJobOutcomes& outcomes) {
  return std::all_of(jobs.begin(), jobs.end(),
                     [&](const RunJob& j) { return outcomes.count(j.job) != 0; });
}

const RunJobOutcome* outcome_of(const RunJobOutcomes& outcomes, const Uuid& job) {
  auto it = outcomes.find(job);
  return it == outcomes.end() ? nullptr : &it->second;
}

const std::vector<DatasetExample>& split_of(const OptimizationRun& run) {
  return run.validating ? run.spec->validation : run.spec->train;
}

// Eval jobs for `candidates` on every example of the split x every model.
Status add_evals(const OptimizationRun& run, const std::vector<const Candidate*>& candidates,
                 const std::vector<DatasetExample>& split, const DataKeyring& ring, RunStep* step,
                 std::vector<RunJob>* jobs) {
  const EventMetadata meta = job_metadata(run);
  for (const Candidate* c : candidates) {
    for (std::size_t i = 0; i < split.size(); ++i) {
      for (const auto& model : run.spec->models) {
        auto id = add_job(&step->jobs, model, "", fill_prompt(c->prompt, split[i].input),
                          run.spec->max_tokens, meta, ring);
        if (!id.ok()) return id.error();
        RunJob j;
        j.job = *id;
        j.candidate_id = c->id;
        j.example = static_cast<int>(i);
        j.model = model;
        jobs->push_back(std::move(j));
      }
    }
  }
  return {};
}

// Mean score per candidate of the phase's eval jobs (a job that did not succeed scores 0).
Scores score_phase(const OptimizationRun& run, const RunJobOutcomes& outcomes) {
  const auto& split = split_of(run);
  std::unordered_map<Uuid, double, UuidHash> judged;
  for (const auto& j : run.judges) {
    const RunJobOutcome* o = outcome_of(outcomes, j.job);
    if (j.judged_job && o && o->state == JobState::kSucceeded) {
      judged[*j.judged_job] = judge_score(o->output).value_or(0);
    }
  }
  struct Sum {
    double total = 0;
    int n = 0;
    std::map<std::string, std::pair<double, int>> by_model;
  };
  std::vector<std::string> order;
  std::map<std::string, Sum> sums;
  for (const auto& j : run.evals) {
    double s = 0;
    const RunJobOutcome* o = outcome_of(outcomes, j.job);
    if (o && o->state == JobState::kSucceeded && j.example >= 0 &&
        static_cast<std::size_t>(j.example) < split.size()) {
      if (run.spec->scorer.type == "llm_judge") {
        auto it = judged.find(j.job);
        s = it == judged.end() ? 0 : it->second;
      } else {
        s = score_output(run.spec->scorer, o->output, split[j.example].expected);
      }
    }
    if (sums.count(j.candidate_id) == 0) order.push_back(j.candidate_id);
    Sum& sum = sums[j.candidate_id];
    sum.total += s, ++sum.n;
    auto& m = sum.by_model[j.model];
    m.first += s, ++m.second;
  }
  Scores out;
  for (const auto& id : order) {
    const Sum& sum = sums[id];
    CandidateScore c;
    c.score = sum.n == 0 ? 0 : sum.total / sum.n;
    for (const auto& [model, m] : sum.by_model)
      c.by_model[model] = m.second == 0 ? 0 : m.first / m.second;
    out.emplace_back(id, std::move(c));
  }
  return out;
}

Status judge_phase(const OptimizationRun& run, const RunJobOutcomes& outcomes,
                   const DataKeyring& ring, RunStep* step) {
  const auto& split = split_of(run);
  const EventMetadata meta = job_metadata(run);
  std::vector<RunJob> judges;
  for (const auto& j : run.evals) {
    const RunJobOutcome* o = outcome_of(outcomes, j.job);
    if (!o || o->state != JobState::kSucceeded) continue;
    const auto& example = split[static_cast<std::size_t>(j.example)];
    auto id = add_job(&step->jobs, run.spec->scorer.judge_model, "",
                      judge_prompt(run.spec->scorer, example.input, o->output, example.expected),
                      run.spec->max_tokens, meta, ring);
    if (!id.ok()) return id.error();
    RunJob judge;
    judge.job = *id;
    judge.judged_job = j.job;
    judges.push_back(std::move(judge));
  }
  step->run_events.push_back(
      NewEvent{std::string(ev::kJudgesRequested), encode_judges_requested(judges), ""});
  return {};
}

Status start_validation(const OptimizationRun& run, std::string_view reason,
                        const DataKeyring& ring, RunStep* step) {
  std::vector<const Candidate*> validate;
  if (!run.candidates.empty()) validate.push_back(&run.candidates.front());  // the seed
  const Candidate* best = best_candidate(run);
  if (best != nullptr && best != validate.front()) validate.push_back(best);
  std::vector<RunJob> jobs;
  if (auto s = add_evals(run, validate, run.spec->validation, ring, step, &jobs); !s.ok()) {
    return s;
  }
  step->run_events.push_back(
      NewEvent{std::string(ev::kValidationStarted), encode_validation_started(reason, jobs), ""});
  return {};
}

void finish(const OptimizationRun& run, std::string_view status, std::string_view reason,
            const Scores& validation, RunStep* step) {
  const Candidate* best = best_candidate(run);
  step->run_events.push_back(
      NewEvent{std::string(ev::kFinished),
               encode_finished(status, reason, best ? best->id : "", validation), ""});
}

std::vector<Uuid> queued_jobs(const OptimizationRun& run, const RunJobOutcomes& outcomes) {
  std::vector<Uuid> out;
  for (const auto& id : run.jobs)
    if (outcomes.count(id) == 0) out.push_back(id);
  return out;
}

bool over_budget(const OptimizationSpec& spec, const JobUsage& spend) {
  return (spec.budget_tokens > 0 &&
          spend.input_tokens + spend.output_tokens >= spec.budget_tokens) ||
         (spec.budget_nano_usd > 0 && spend.cost_nano_usd >= spec.budget_nano_usd);
}

Status request_proposals(const OptimizationRun& run, const DataKeyring& ring, RunStep* step) {
  const EventMetadata meta = job_metadata(run);
  std::vector<RunJob> jobs;
  for (int k = 0; k < run.spec->candidates_per_round; ++k) {
    auto id = add_job(&step->jobs, run.spec->optimizer_model, run.spec->meta_prompt,
                      optimizer_history(run, k, run.spec->seed), run.spec->max_tokens, meta, ring);
    if (!id.ok()) return id.error();
    RunJob j;
    j.job = *id;
    j.variant = k;
    jobs.push_back(std::move(j));
  }
  step->run_events.push_back(NewEvent{std::string(ev::kProposalsRequested),
                                      encode_proposals_requested(run.round + 1, jobs), ""});
  return {};
}

Status start_next_round(const OptimizationRun& run, const RunJobOutcomes& outcomes,
                        const DataKeyring& ring, RunStep* step) {
  std::set<std::string> seen;
  for (const auto& c : run.candidates)
    seen.insert(trim(c.prompt));
  const Candidate* parent = best_candidate(run);
  const int round = run.round + 1;
  std::vector<Candidate> added;
  for (const auto& j : run.proposals) {
    const RunJobOutcome* o = outcome_of(outcomes, j.job);
    if (!o || o->state != JobState::kSucceeded) continue;
    std::string prompt = proposed_prompt(o->output);
    if (prompt.empty() || !seen.insert(trim(prompt)).second) continue;  // unusable or a duplicate
    Candidate c;
    c.id = "c" + std::to_string(round) + "." + std::to_string(added.size());
    c.parent_id = parent ? parent->id : "";
    c.round = round;
    c.prompt = std::move(prompt);
    added.push_back(std::move(c));
  }
  if (added.empty()) return start_validation(run, "converged", ring, step);
  std::vector<const Candidate*> evaluate;
  for (const auto& c : added)
    evaluate.push_back(&c);
  std::vector<RunJob> jobs;
  if (auto s = add_evals(run, evaluate, run.spec->train, ring, step, &jobs); !s.ok()) return s;
  auto data = encode_round_started(round, added, jobs, ring, run.id);
  if (!data.ok()) return data.error();
  step->run_events.push_back(NewEvent{std::string(ev::kRoundStarted), std::move(*data), ""});
  return {};
}

Status start_first_round(const OptimizationRun& run, const DataKeyring& ring, RunStep* step) {
  Candidate seed;
  seed.id = "c1.0";
  seed.round = 1;
  seed.prompt = run.spec->task_prompt;
  std::vector<RunJob> jobs;
  if (auto s = add_evals(run, {&seed}, run.spec->train, ring, step, &jobs); !s.ok()) return s;
  auto data = encode_round_started(1, {seed}, jobs, ring, run.id);
  if (!data.ok()) return data.error();
  step->run_events.push_back(NewEvent{std::string(ev::kRoundStarted), std::move(*data), ""});
  return {};
}

Status evaluated(const OptimizationRun& run, const RunJobOutcomes& outcomes,
                 const DataKeyring& ring, RunStep* step) {
  if (!all_ended(run.evals, outcomes)) return {};
  if (run.phase == RunPhase::kEvaluating && run.spec->scorer.type == "llm_judge") {
    return judge_phase(run, outcomes, ring, step);
  }
  if (run.phase == RunPhase::kJudging && !all_ended(run.judges, outcomes)) return {};
  const Scores scores = score_phase(run, outcomes);
  if (run.validating) {
    finish(run, "completed", run.stop_reason, scores, step);
  } else {
    step->run_events.push_back(
        NewEvent{std::string(ev::kRoundScored), encode_scores(run.round, scores), ""});
  }
  return {};
}

}  // namespace

Result<RunStep> next_step(const OptimizationRun& run, const RunJobOutcomes& outcomes,
                          const DataKeyring& ring) {
  RunStep step;
  if (run.phase == RunPhase::kFinished || run.status == "paused") return step;
  if (!run.spec) return Error::internal("optimization read without its spec");
  if (run.status == "cancelling") {
    step.cancel = queued_jobs(run, outcomes);
    finish(run, "cancelled", "cancelled", {}, &step);
    return step;
  }
  if (over_budget(*run.spec, total_usage(outcomes, run.jobs))) {
    step.cancel = queued_jobs(run, outcomes);
    finish(run, "completed", "budget_exhausted", {}, &step);
    return step;
  }
  Status s;
  switch (run.phase) {
    case RunPhase::kCreated:
      s = start_first_round(run, ring, &step);
      break;
    case RunPhase::kEvaluating:
    case RunPhase::kJudging:
      s = evaluated(run, outcomes, ring, &step);
      break;
    case RunPhase::kScored: {
      const Candidate* best = best_candidate(run);
      const auto& target = run.spec->target_score;
      if (best != nullptr && target && best->train->score >= *target) {
        s = start_validation(run, "target_reached", ring, &step);
      } else if (run.round >= run.spec->rounds) {
        s = start_validation(run, "rounds_done", ring, &step);
      } else {
        s = request_proposals(run, ring, &step);
      }
      break;
    }
    case RunPhase::kProposing:
      if (all_ended(run.proposals, outcomes)) s = start_next_round(run, outcomes, ring, &step);
      break;
    case RunPhase::kFinished:
      break;
  }
  if (!s.ok()) return s.error();
  return step;
}

std::string optimizer_history(const OptimizationRun& run, int variant, std::uint64_t seed) {
  std::vector<const Candidate*> scored;
  for (const auto& c : run.candidates)
    if (c.train) scored.push_back(&c);
  // Ascending score, best last; among equal scores the earliest candidate last (it is the best).
  std::stable_sort(scored.begin(), scored.end(), [](const Candidate* a, const Candidate* b) {
    return a->train->score < b->train->score;
  });
  std::vector<const Candidate*> ordered;
  for (std::size_t i = 0; i < scored.size();) {
    std::size_t j = i;
    while (j < scored.size() && scored[j]->train->score == scored[i]->train->score)
      ++j;
    for (std::size_t k = j; k > i; --k)
      ordered.push_back(scored[k - 1]);
    i = j;
  }
  if (ordered.size() > kHistoryPrompts) {
    ordered.erase(ordered.begin(), ordered.end() - static_cast<std::ptrdiff_t>(kHistoryPrompts));
  }
  std::string out;
  for (const Candidate* c : ordered) {
    char score[32];
    std::snprintf(score, sizeof(score), "%.3f", c->train->score);
    out += "<prompt>" + c->prompt + "</prompt>\nscore: " + score + "\n\n";
  }
  out += "Write variant " + std::to_string(variant) + " of " +
         std::to_string(run.spec ? run.spec->candidates_per_round : 0) + " (seed " +
         std::to_string(seed) + ").";
  return out;
}

std::string proposed_prompt(std::string_view answer, bool keep_placeholder) {
  const std::size_t open = answer.find("<prompt>");
  if (open != std::string_view::npos) {
    const std::size_t start = open + 8;
    const std::size_t close = answer.find("</prompt>", start);
    answer = answer.substr(start, close == std::string_view::npos ? answer.npos : close - start);
  }
  std::string prompt = trim(answer);
  if (prompt.empty() || prompt.size() > kMaxPromptBytes) return {};
  if (keep_placeholder && prompt.find(kInputPlaceholder) == std::string::npos) {
    prompt += "\n\n";
    prompt += kInputPlaceholder;
  }
  return prompt;
}

}  // namespace bl
