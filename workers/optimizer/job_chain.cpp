#include "workers/optimizer/job_chain.hpp"

#include <cstdio>

#include "core/sealed_json.hpp"
#include "workers/optimizer/next_step.hpp"
#include "workers/optimizer/scorer.hpp"

namespace bl {
namespace {

constexpr std::string_view kStarted = kJobChainStarted;
constexpr std::string_view kRepairRequested = "JobChainRepairRequested";
constexpr std::string_view kEvalRequested = "JobChainEvalRequested";
constexpr std::string_view kMetaRequested = "JobChainMetaRequested";
constexpr std::string_view kFinished = "JobChainFinished";

constexpr std::string_view kRepairInstruction =
    "Return only the JSON value of the text below, corrected so that it parses. No prose, no "
    "code fences.";

Result<std::string> open_field(const JsonValue& data, std::string_view key, const DataKeyring* ring,
                               const Uuid& chain) {
  if (ring == nullptr) return std::string();
  const JsonValue* box = json_member(data, key);
  if (box == nullptr) return std::string();
  return open_sealed(*box, *ring, chain);
}

std::optional<Uuid> uuid_field(const JsonValue& data, std::string_view key) {
  auto s = json_string(data, key);
  return s ? Uuid::parse(*s) : std::nullopt;
}

bool parses_as_json(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return false;
  return parse_json(text.substr(first)).ok();
}

EventMetadata job_metadata(const JobChain& chain) {
  EventMetadata m = chain.owner;
  m.request_id = "job_chain:" + chain.id.to_string();
  m.correlation_id.reset();
  return m;
}

Status apply(JobChain& c, const RecordedEvent& e, const JsonValue& d, const DataKeyring* ring) {
  if (e.type == kStarted) {
    c.owner = decode_metadata(e.metadata);
    c.created_ms = e.recorded_at_ms;
    c.working_job = uuid_field(d, "job").value_or(Uuid{});
    c.working_model = json_string(d, "model").value_or("");
    c.spec.eval_model = json_string(d, "eval_model").value_or("");
    c.spec.meta_model = json_string(d, "meta_model").value_or("");
    c.spec.json_output = json_bool(d, "json_output").value_or(false);
    c.spec.prompt_id = uuid_field(d, "prompt_id");
    c.spec.max_tokens = static_cast<int>(json_int(d, "max_tokens").value_or(1024));
    for (auto [key, field] : {std::pair{"working_prompt", &c.spec.working_prompt},
                              std::pair{"eval_prompt", &c.spec.eval_prompt},
                              std::pair{"meta_prompt", &c.spec.meta_prompt}}) {
      auto text = open_field(d, key, ring, c.id);
      if (!text.ok()) return text.error();
      *field = std::move(*text);
    }
  } else if (e.type == kRepairRequested) {
    c.repair_job = uuid_field(d, "job");
  } else if (e.type == kEvalRequested) {
    c.eval_job = uuid_field(d, "job");
    auto output = open_field(d, "output", ring, c.id);
    if (!output.ok()) return output.error();
    c.output = std::move(*output);
  } else if (e.type == kMetaRequested) {
    c.meta_job = uuid_field(d, "job");
    c.score = json_number(d, "score");
    auto evaluation = open_field(d, "evaluation", ring, c.id);
    if (!evaluation.ok()) return evaluation.error();
    c.evaluation = std::move(*evaluation);
  } else if (e.type == kFinished) {
    c.status = json_string(d, "status").value_or("completed");
    c.error = json_string(d, "error").value_or("");
    c.proposed_prompt_id = uuid_field(d, "prompt_id");
    c.proposed_version = static_cast<int>(json_int(d, "version").value_or(0));
  }
  return {};
}

NewEvent failed(std::string_view error) {
  JsonWriter w;
  w.begin_object().field("status", "failed").field("error", error).end_object();
  return NewEvent{std::string(kFinished), w.str(), ""};
}

}  // namespace

std::vector<Uuid> JobChain::jobs() const {
  std::vector<Uuid> out{working_job};
  for (const auto& j : {repair_job, eval_job, meta_job})
    if (j) out.push_back(*j);
  return out;
}

Result<JobChain> fold_job_chain(const std::vector<RecordedEvent>& events, const DataKeyring* ring) {
  if (events.empty() || events.front().type != kStarted) return Error::not_found("no such chain");
  JobChain chain;
  chain.id = events.front().stream_id;
  for (const auto& e : events) {
    auto data = parse_json(e.data);
    if (!data.ok()) return Error::internal("job chain event is not JSON");
    if (auto s = apply(chain, e, *data, ring); !s.ok()) return s.error();
    chain.version = e.version;
  }
  return chain;
}

Result<std::string> encode_chain_started(const JobChainSpec& spec, const Uuid& working_job,
                                         std::string_view working_model, const DataKeyring& ring,
                                         const Uuid& chain) {
  JsonWriter w;
  w.begin_object();
  w.field("job", working_job.to_string()).field("model", working_model);
  w.field("eval_model", spec.eval_model).field("meta_model", spec.meta_model);
  w.field("json_output", spec.json_output).field("max_tokens", spec.max_tokens);
  if (spec.prompt_id) w.field("prompt_id", spec.prompt_id->to_string());
  for (auto [key, text] :
       {std::pair{"working_prompt", &spec.working_prompt},
        std::pair{"eval_prompt", &spec.eval_prompt}, std::pair{"meta_prompt", &spec.meta_prompt}}) {
    if (auto s = write_sealed(w, key, ring, *text, chain); !s.ok()) return s.error();
  }
  w.end_object();
  return w.str();
}

Result<ChainStep> next_chain_step(const JobChain& chain, const RunJobOutcomes& outcomes,
                                  const DataKeyring& ring) {
  ChainStep step;
  if (chain.status != "running") return step;
  auto ended = [&](const std::optional<Uuid>& job) -> const RunJobOutcome* {
    if (!job) return nullptr;
    auto it = outcomes.find(*job);
    return it == outcomes.end() ? nullptr : &it->second;
  };
  auto succeeded = [](const RunJobOutcome* o) { return o->state == JobState::kSucceeded; };
  const EventMetadata meta = job_metadata(chain);
  const int max_tokens = chain.spec.max_tokens;

  if (chain.meta_job) {  // last step: the proposal becomes a draft version
    const RunJobOutcome* o = ended(chain.meta_job);
    if (o == nullptr) return step;
    if (!succeeded(o)) {
      step.events.push_back(failed("meta_job_failed"));
    } else {
      std::string proposal = proposed_prompt(o->output, false);
      if (proposal.empty()) {
        step.events.push_back(failed("no_proposal"));
      } else {
        step.proposed_prompt = std::move(proposal);
      }
    }
    step.new_status = step.proposed_prompt ? "completed" : "failed";
    return step;
  }
  if (chain.eval_job) {  // the evaluation is in: ask for a better prompt
    const RunJobOutcome* o = ended(chain.eval_job);
    if (o == nullptr) return step;
    if (!succeeded(o)) {
      step.events.push_back(failed("eval_job_failed"));
      step.new_status = "failed";
      return step;
    }
    const std::optional<double> score = judge_score(o->output);
    char score_text[32];
    std::snprintf(score_text, sizeof(score_text), "%.3f", score.value_or(0));
    // The meta call sees the prompt with its evaluation in the optimizer's history format.
    const std::string history = "<prompt>" + chain.spec.working_prompt +
                                "</prompt>\nscore: " + score_text + "\n\nOutput:\n" + chain.output +
                                "\n\nEvaluation:\n" + o->output +
                                "\n\nWrite variant 0 of 1 (seed 0).";
    auto id = add_job(&step.jobs, chain.spec.meta_model, chain.spec.meta_prompt, history,
                      max_tokens, meta, ring);
    if (!id.ok()) return id.error();
    JsonWriter w;
    w.begin_object().field("job", id->to_string());
    if (score) w.field("score", *score);
    if (auto s = write_sealed(w, "evaluation", ring, o->output, chain.id); !s.ok()) {
      return s.error();
    }
    w.end_object();
    step.events.push_back(NewEvent{std::string(kMetaRequested), w.str(), ""});
    return step;
  }
  // The working output, or its repair, decides whether there is an output to evaluate.
  const RunJobOutcome* work = ended(chain.working_job);
  if (work == nullptr) return step;
  if (!succeeded(work)) {
    step.events.push_back(failed("working_job_failed"));
    step.new_status = "failed";
    return step;
  }
  std::string output = work->output;
  if (chain.spec.json_output && !parses_as_json(output)) {
    if (!chain.repair_job) {
      auto id = add_job(&step.jobs, chain.working_model, kRepairInstruction, output, max_tokens,
                        meta, ring);
      if (!id.ok()) return id.error();
      JsonWriter w;
      w.begin_object().field("job", id->to_string()).end_object();
      step.events.push_back(NewEvent{std::string(kRepairRequested), w.str(), ""});
      return step;
    }
    const RunJobOutcome* repair = ended(chain.repair_job);
    if (repair == nullptr) return step;
    if (!succeeded(repair) || !parses_as_json(repair->output)) {
      step.events.push_back(failed("json_parse_error"));
      step.new_status = "failed";
      return step;
    }
    output = repair->output;
  }
  const std::string judged = "Prompt:\n" + chain.spec.working_prompt + "\n\nOutput:\n" + output;
  auto id = add_job(&step.jobs, chain.spec.eval_model, chain.spec.eval_prompt, judged, max_tokens,
                    meta, ring);
  if (!id.ok()) return id.error();
  JsonWriter w;
  w.begin_object().field("job", id->to_string());
  if (auto s = write_sealed(w, "output", ring, output, chain.id); !s.ok()) return s.error();
  w.end_object();
  step.events.push_back(NewEvent{std::string(kEvalRequested), w.str(), ""});
  return step;
}

NewEvent chain_finished_event(const Uuid& prompt_id, int version) {
  JsonWriter w;
  w.begin_object().field("status", "completed").field("prompt_id", prompt_id.to_string());
  w.field("version", version).end_object();
  return NewEvent{std::string(kFinished), w.str(), ""};
}

}  // namespace bl
