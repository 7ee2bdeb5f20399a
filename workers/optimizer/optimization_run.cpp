#include "workers/optimizer/optimization_run.hpp"

#include "core/sealed_json.hpp"

namespace bl {
namespace {

namespace ev = optimization_event;

void write_score(JsonWriter& w, const std::string& candidate, const CandidateScore& s) {
  w.begin_object();
  w.field("candidate", candidate).field("score", s.score);
  w.key("by_model").begin_object();
  for (const auto& [model, score] : s.by_model)
    w.field(model, score);
  w.end_object();
  w.end_object();
}

void write_scores(JsonWriter& w, const std::vector<std::pair<std::string, CandidateScore>>& s) {
  w.key("scores").begin_array();
  for (const auto& [candidate, score] : s)
    write_score(w, candidate, score);
  w.end_array();
}

void write_jobs(JsonWriter& w, const std::vector<RunJob>& jobs) {
  w.key("jobs").begin_array();
  for (const auto& j : jobs) {
    w.begin_object().field("job", j.job.to_string());
    if (!j.candidate_id.empty()) w.field("candidate", j.candidate_id);
    if (j.example >= 0) w.field("example", j.example);
    if (!j.model.empty()) w.field("model", j.model);
    if (j.judged_job) w.field("judges", j.judged_job->to_string());
    if (j.variant >= 0) w.field("variant", j.variant);
    w.end_object();
  }
  w.end_array();
}

std::vector<RunJob> read_jobs(const JsonValue& data) {
  std::vector<RunJob> out;
  const JsonValue* jobs = json_member(data, "jobs");
  if (jobs == nullptr || !jobs->IsArray()) return out;
  for (const auto& j : jobs->GetArray()) {
    auto id = Uuid::parse(json_string(j, "job").value_or(""));
    if (!id) continue;
    RunJob r;
    r.job = *id;
    r.candidate_id = json_string(j, "candidate").value_or("");
    r.example = static_cast<int>(json_int(j, "example").value_or(-1));
    r.model = json_string(j, "model").value_or("");
    if (auto judged = json_string(j, "judges")) r.judged_job = Uuid::parse(*judged);
    r.variant = static_cast<int>(json_int(j, "variant").value_or(-1));
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::pair<std::string, CandidateScore>> read_scores(const JsonValue& data,
                                                                std::string_view key) {
  std::vector<std::pair<std::string, CandidateScore>> out;
  const JsonValue* scores = json_member(data, key);
  if (scores == nullptr || !scores->IsArray()) return out;
  for (const auto& s : scores->GetArray()) {
    CandidateScore c;
    c.score = json_number(s, "score").value_or(0);
    if (const JsonValue* m = json_member(s, "by_model"); m && m->IsObject()) {
      for (auto it = m->MemberBegin(); it != m->MemberEnd(); ++it) {
        if (it->value.IsNumber())
          c.by_model[std::string(as_view(it->name))] = it->value.GetDouble();
      }
    }
    out.emplace_back(std::string(json_string(s, "candidate").value_or("")), std::move(c));
  }
  return out;
}

Candidate* mutable_candidate(OptimizationRun& run, std::string_view id) {
  for (auto& c : run.candidates)
    if (c.id == id) return &c;
  return nullptr;
}

void append_jobs(OptimizationRun& run, const std::vector<RunJob>& jobs) {
  for (const auto& j : jobs)
    run.jobs.push_back(j.job);
}

Status apply(OptimizationRun& run, const RecordedEvent& e, const JsonValue& data,
             const DataKeyring* ring) {
  if (e.type == ev::kCreated) {
    run.owner = decode_metadata(e.metadata);
    run.created_ms = e.recorded_at_ms;
    run.rounds = static_cast<int>(json_int(data, "rounds").value_or(0));
    run.candidates_per_round = static_cast<int>(json_int(data, "candidates_per_round").value_or(0));
    if (const JsonValue* m = json_member(data, "models"); m && m->IsArray()) {
      for (const auto& model : m->GetArray())
        if (model.IsString()) run.models.emplace_back(as_view(model));
    }
    if (ring != nullptr) {
      const JsonValue* box = json_member(data, "spec");
      if (box == nullptr) return Error::internal("optimization without a spec");
      auto plain = open_sealed(*box, *ring, run.id);
      if (!plain.ok()) return plain.error();
      auto spec = decode_spec_json(*plain);
      if (!spec.ok()) return spec.error();
      run.spec = std::move(*spec);
    }
  } else if (e.type == ev::kRoundStarted) {
    run.round = static_cast<int>(json_int(data, "round").value_or(0));
    run.phase = RunPhase::kEvaluating;
    run.validating = false;
    if (const JsonValue* cands = json_member(data, "candidates"); cands && cands->IsArray()) {
      for (const auto& c : cands->GetArray()) {
        Candidate cand;
        cand.id = json_string(c, "id").value_or("");
        cand.parent_id = json_string(c, "parent_id").value_or("");
        cand.round = run.round;
        if (ring != nullptr) {
          const JsonValue* box = json_member(c, "prompt");
          if (box == nullptr) return Error::internal("candidate without a prompt");
          auto prompt = open_sealed(*box, *ring, run.id);
          if (!prompt.ok()) return prompt.error();
          cand.prompt = std::move(*prompt);
        }
        run.candidates.push_back(std::move(cand));
      }
    }
    run.evals = read_jobs(data);
    run.judges.clear();
    append_jobs(run, run.evals);
  } else if (e.type == ev::kJudgesRequested) {
    run.phase = RunPhase::kJudging;
    run.judges = read_jobs(data);
    append_jobs(run, run.judges);
  } else if (e.type == ev::kRoundScored) {
    run.phase = RunPhase::kScored;
    for (auto& [id, score] : read_scores(data, "scores")) {
      if (Candidate* c = mutable_candidate(run, id)) c->train = std::move(score);
    }
  } else if (e.type == ev::kProposalsRequested) {
    run.phase = RunPhase::kProposing;
    run.proposals = read_jobs(data);
    append_jobs(run, run.proposals);
  } else if (e.type == ev::kValidationStarted) {
    run.phase = RunPhase::kEvaluating;
    run.validating = true;
    run.stop_reason = json_string(data, "reason").value_or("");
    run.evals = read_jobs(data);
    run.judges.clear();
    append_jobs(run, run.evals);
  } else if (e.type == ev::kFinished) {
    run.phase = RunPhase::kFinished;
    run.status = json_string(data, "status").value_or("completed");
    run.stop_reason = json_string(data, "reason").value_or("");
    run.best_candidate_id = json_string(data, "best").value_or("");
    for (auto& [id, score] : read_scores(data, "validation")) {
      if (Candidate* c = mutable_candidate(run, id)) c->validation = std::move(score);
    }
  } else if (e.type == ev::kPaused) {
    run.status = "paused";
  } else if (e.type == ev::kResumed) {
    run.status = "running";
  } else if (e.type == ev::kCancelRequested) {
    run.status = "cancelling";
  }
  return {};
}

}  // namespace

Result<OptimizationRun> fold_optimization(const std::vector<RecordedEvent>& events,
                                          const DataKeyring* ring) {
  if (events.empty() || events.front().type != ev::kCreated) {
    return Error::not_found("no such optimization");
  }
  OptimizationRun run;
  run.id = events.front().stream_id;
  for (const auto& e : events) {
    auto data = parse_json(e.data);
    if (!data.ok()) return Error::internal("optimization event is not JSON");
    if (auto s = apply(run, e, *data, ring); !s.ok()) return s.error();
    run.version = e.version;
  }
  if (run.best_candidate_id.empty()) {
    if (const Candidate* best = best_candidate(run)) run.best_candidate_id = best->id;
  }
  return run;
}

const Candidate* best_candidate(const OptimizationRun& run) {
  const Candidate* best = nullptr;
  for (const auto& c : run.candidates) {
    if (c.train && (best == nullptr || c.train->score > best->train->score)) best = &c;
  }
  return best;
}

const Candidate* find_candidate(const OptimizationRun& run, std::string_view id) {
  for (const auto& c : run.candidates)
    if (c.id == id) return &c;
  return nullptr;
}

Result<std::string> encode_created(const OptimizationSpec& spec, const DataKeyring& ring,
                                   const Uuid& run) {
  JsonWriter w;
  w.begin_object();
  if (auto s = write_sealed(w, "spec", ring, spec_json(spec), run); !s.ok()) return s.error();
  w.key("models").begin_array();
  for (const auto& m : spec.models)
    w.value(m);
  w.end_array();
  w.field("rounds", spec.rounds).field("candidates_per_round", spec.candidates_per_round);
  w.field("train_examples", static_cast<std::int64_t>(spec.train.size()));
  w.field("validation_examples", static_cast<std::int64_t>(spec.validation.size()));
  w.end_object();
  return w.str();
}

Result<std::string> encode_round_started(int round, const std::vector<Candidate>& added,
                                         const std::vector<RunJob>& jobs, const DataKeyring& ring,
                                         const Uuid& run) {
  JsonWriter w;
  w.begin_object().field("round", round);
  w.key("candidates").begin_array();
  for (const auto& c : added) {
    w.begin_object().field("id", c.id).field("parent_id", c.parent_id);
    if (auto s = write_sealed(w, "prompt", ring, c.prompt, run); !s.ok()) return s.error();
    w.end_object();
  }
  w.end_array();
  write_jobs(w, jobs);
  w.end_object();
  return w.str();
}

std::string encode_judges_requested(const std::vector<RunJob>& jobs) {
  JsonWriter w;
  w.begin_object();
  write_jobs(w, jobs);
  w.end_object();
  return w.str();
}

std::string encode_scores(int round, const std::vector<std::pair<std::string, CandidateScore>>& s) {
  JsonWriter w;
  w.begin_object().field("round", round);
  write_scores(w, s);
  w.end_object();
  return w.str();
}

std::string encode_proposals_requested(int round, const std::vector<RunJob>& jobs) {
  JsonWriter w;
  w.begin_object().field("round", round);
  write_jobs(w, jobs);
  w.end_object();
  return w.str();
}

std::string encode_validation_started(std::string_view reason, const std::vector<RunJob>& jobs) {
  JsonWriter w;
  w.begin_object().field("reason", reason);
  write_jobs(w, jobs);
  w.end_object();
  return w.str();
}

std::string encode_finished(std::string_view status, std::string_view reason, std::string_view best,
                            const std::vector<std::pair<std::string, CandidateScore>>& validation) {
  JsonWriter w;
  w.begin_object().field("status", status).field("reason", reason).field("best", best);
  w.key("validation").begin_array();
  for (const auto& [candidate, score] : validation)
    write_score(w, candidate, score);
  w.end_array();
  w.end_object();
  return w.str();
}

}  // namespace bl
