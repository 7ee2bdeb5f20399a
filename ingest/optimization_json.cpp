#include "ingest/optimization_json.hpp"

#include <algorithm>

#include "core/ids.hpp"

namespace bl {
namespace {

void optional_score(JsonWriter& w, std::string_view key, const std::optional<CandidateScore>& s) {
  if (s) {
    w.field(key, s->score);
  } else {
    w.null_field(key);
  }
}

}  // namespace

void write_optimization(JsonWriter& w, const OptimizationSnapshot& snap) {
  const OptimizationRun& run = snap.run;
  w.begin_object();
  w.field("id", to_api_id(id_prefix::kOptimization, run.id));
  w.field("object", "optimization");
  w.field("status", run.status);
  if (run.stop_reason.empty()) {
    w.null_field("stop_reason");
  } else {
    w.field("stop_reason", run.stop_reason);
  }
  w.field("round", run.round).field("rounds", run.rounds);
  w.field("candidates_per_round", run.candidates_per_round);
  w.field("created_at", run.created_ms / 1000);
  w.key("models").begin_array();
  for (const auto& m : run.models)
    w.value(m);
  w.end_array();
  w.field("jobs", static_cast<std::int64_t>(run.jobs.size()));
  w.key("spend").begin_object();
  w.field("input_tokens", snap.spend.input_tokens);
  w.field("output_tokens", snap.spend.output_tokens);
  w.field("cost_nano_usd", snap.spend.cost_nano_usd);
  w.end_object();

  const Candidate* best = find_candidate(run, run.best_candidate_id);
  w.key("best");
  if (best == nullptr) {
    w.null();
  } else {
    w.begin_object().field("candidate_id", best->id).field("prompt", best->prompt);
    optional_score(w, "train_score", best->train);
    optional_score(w, "validation_score", best->validation);
    w.end_object();
  }
  if (!run.candidates.empty()) {
    optional_score(w, "seed_validation_score", run.candidates.front().validation);
  }

  std::vector<const Candidate*> board;
  for (const auto& c : run.candidates)
    board.push_back(&c);
  std::stable_sort(board.begin(), board.end(), [](const Candidate* a, const Candidate* b) {
    const double sa = a->train ? a->train->score : -1, sb = b->train ? b->train->score : -1;
    return sa > sb;
  });
  w.key("leaderboard").begin_array();
  for (const Candidate* c : board) {
    w.begin_object().field("candidate_id", c->id);
    if (c->parent_id.empty()) {
      w.null_field("parent_id");
    } else {
      w.field("parent_id", c->parent_id);
    }
    w.field("round", c->round).field("prompt", c->prompt);
    optional_score(w, "train_score", c->train);
    optional_score(w, "validation_score", c->validation);
    w.key("scores_by_model").begin_object();
    if (c->train) {
      for (const auto& [model, score] : c->train->by_model)
        w.field(model, score);
    }
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

std::string optimization_json(const OptimizationSnapshot& snap) {
  JsonWriter w;
  write_optimization(w, snap);
  return w.str();
}

}  // namespace bl
