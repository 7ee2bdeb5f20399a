#include "workers/optimizer/optimization_spec.hpp"

#include <algorithm>
#include <cmath>

namespace bl {
namespace {

constexpr int kMaxRounds = 50;
constexpr int kMaxCandidates = 16;
constexpr std::size_t kMaxModels = 8;
constexpr std::size_t kMaxJobsPerRound = 10000;

std::uint64_t splitmix64(std::uint64_t* state) {
  std::uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Error bad(const std::string& field, const std::string& message) {
  return Error::invalid(field + ": " + message);
}

Result<std::string> text_field(const JsonValue& obj, std::string_view name, std::size_t max,
                               bool required, const std::string& path) {
  const JsonValue* v = json_member(obj, name);
  if (v == nullptr || v->IsNull()) {
    if (required) return bad(path, "is required");
    return std::string();
  }
  if (!v->IsString()) return bad(path, "must be a string");
  if (v->GetStringLength() > max) return bad(path, "is longer than " + std::to_string(max));
  return std::string(as_view(*v));
}

Result<std::int64_t> int_field(const JsonValue& obj, std::string_view name, std::int64_t dflt,
                               std::int64_t lo, std::int64_t hi, const std::string& path) {
  const JsonValue* v = json_member(obj, name);
  if (v == nullptr || v->IsNull()) return dflt;
  if (!v->IsInt64() || v->GetInt64() < lo || v->GetInt64() > hi) {
    return bad(path,
               "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return v->GetInt64();
}

Result<DatasetExample> parse_example(const JsonValue& e, const std::string& path) {
  if (!e.IsObject()) return bad(path, "must be an object with input and expected");
  DatasetExample out;
  auto input = text_field(e, "input", kMaxExampleBytes, true, path + ".input");
  if (!input.ok()) return input.error();
  auto expected = text_field(e, "expected", kMaxExampleBytes, true, path + ".expected");
  if (!expected.ok()) return expected.error();
  out.input = std::move(*input);
  out.expected = std::move(*expected);
  return out;
}

Result<ScorerSpec> parse_scorer(const JsonValue* v, const Config& config) {
  ScorerSpec s;
  if (v == nullptr || v->IsNull()) return s;
  if (!v->IsObject()) return bad("scorer", "must be an object");
  auto type = text_field(*v, "type", 32, true, "scorer.type");
  if (!type.ok()) return type.error();
  s.type = *type;
  if (s.type == "json_field") {
    auto f = text_field(*v, "field", 256, true, "scorer.field");
    if (!f.ok()) return f.error();
    s.field = *f;
  } else if (s.type == "numeric") {
    auto t = json_number(*v, "tolerance");
    if (!t || *t < 0 || !std::isfinite(*t)) {
      return bad("scorer.tolerance", "must be a number >= 0");
    }
    s.tolerance = *t;
  } else if (s.type == "llm_judge") {
    auto p = text_field(*v, "prompt", kMaxPromptBytes, true, "scorer.prompt");
    if (!p.ok()) return p.error();
    auto m = text_field(*v, "model", 256, true, "scorer.model");
    if (!m.ok()) return m.error();
    if (config.find_model(*m) == nullptr) return bad("scorer.model", "unknown model");
    s.judge_prompt = *p;
    s.judge_model = *m;
  } else if (s.type != "exact" && s.type != "contains" && s.type != "regex") {
    return bad("scorer.type", "must be exact, contains, regex, json_field, numeric or llm_judge");
  }
  return s;
}

// Examples marked "split": "train" | "validation" keep their side; the rest are shuffled with
// the seed and the first validation_fraction of them go to validation.
Status split_examples(const JsonValue& body, std::vector<DatasetExample> examples,
                      const std::vector<std::string>& marks, OptimizationSpec* spec) {
  double fraction = 0.3;
  if (const JsonValue* f = json_member(body, "validation_fraction"); f && !f->IsNull()) {
    if (!f->IsNumber() || f->GetDouble() < 0 || f->GetDouble() >= 1) {
      return bad("validation_fraction", "must be a number from 0 up to (not including) 1");
    }
    fraction = f->GetDouble();
  }
  std::vector<std::size_t> free;
  for (std::size_t i = 0; i < examples.size(); ++i) {
    if (marks[i] == "train") {
      spec->train.push_back(examples[i]);
    } else if (marks[i] == "validation") {
      spec->validation.push_back(examples[i]);
    } else {
      free.push_back(i);
    }
  }
  std::uint64_t state = spec->seed;
  for (std::size_t i = free.size(); i > 1; --i) {
    std::swap(free[i - 1], free[splitmix64(&state) % i]);
  }
  auto n_validation = static_cast<std::size_t>(std::lround(free.size() * fraction));
  if (n_validation == 0 && fraction > 0 && free.size() > 1) n_validation = 1;
  // Keep the dataset's order within each side: the shuffle only chooses the sides.
  std::vector<std::size_t> to_validation(free.begin(), free.begin() + n_validation);
  std::sort(to_validation.begin(), to_validation.end());
  std::sort(free.begin() + n_validation, free.end());
  for (std::size_t i : to_validation)
    spec->validation.push_back(examples[i]);
  for (auto it = free.begin() + n_validation; it != free.end(); ++it)
    spec->train.push_back(examples[*it]);
  if (spec->train.empty()) return bad("dataset", "leaves no example for training");
  if (spec->validation.empty()) return bad("dataset", "leaves no example for validation");
  return {};
}

}  // namespace

std::string_view default_meta_prompt() {
  return "Your task is to write a better instruction prompt. Below are earlier prompts with "
         "their scores (higher is better), in ascending order of score. Write a new prompt "
         "that differs from all of them and scores as high as possible. Keep the {input} "
         "placeholder. Answer with the new prompt only, inside <prompt></prompt>.";
}

Result<OptimizationSpec> parse_optimization_spec(const JsonValue& body, const Config& config,
                                                 const std::vector<DatasetExample>* file_examples) {
  if (!body.IsObject()) return Error::invalid("the body must be a JSON object");
  OptimizationSpec spec;
  auto prompt = text_field(body, "task_prompt", kMaxPromptBytes, true, "task_prompt");
  if (!prompt.ok()) return prompt.error();
  if (prompt->find(kInputPlaceholder) == std::string::npos) {
    return bad("task_prompt", "must hold the {input} placeholder");
  }
  spec.task_prompt = *prompt;

  auto seed = int_field(body, "seed", 0, 0, INT64_MAX, "seed");
  if (!seed.ok()) return seed.error();
  spec.seed = static_cast<std::uint64_t>(*seed);

  std::vector<DatasetExample> examples;
  std::vector<std::string> marks;
  const JsonValue* dataset = json_member(body, "dataset");
  const JsonValue* inline_examples =
      dataset && dataset->IsObject() ? json_member(*dataset, "examples") : nullptr;
  if (file_examples != nullptr) {
    if (inline_examples != nullptr) {
      return bad("dataset", "give examples or file_id, not both");
    }
    examples = *file_examples;
    marks.assign(examples.size(), "");
  } else {
    if (inline_examples == nullptr || !inline_examples->IsArray()) {
      return bad("dataset.examples", "is required (or dataset.file_id)");
    }
    if (inline_examples->Size() > kMaxExamples) {
      return bad("dataset.examples", "holds more than " + std::to_string(kMaxExamples));
    }
    for (rapidjson::SizeType i = 0; i < inline_examples->Size(); ++i) {
      const std::string path = "dataset.examples[" + std::to_string(i) + "]";
      auto e = parse_example((*inline_examples)[i], path);
      if (!e.ok()) return e.error();
      auto mark = text_field((*inline_examples)[i], "split", 16, false, path + ".split");
      if (!mark.ok()) return mark.error();
      if (!mark->empty() && *mark != "train" && *mark != "validation") {
        return bad(path + ".split", "must be train or validation");
      }
      examples.push_back(std::move(*e));
      marks.push_back(*mark);
    }
  }
  if (auto s = split_examples(body, std::move(examples), marks, &spec); !s.ok()) return s.error();

  const JsonValue* models = json_member(body, "models");
  if (models == nullptr || !models->IsArray() || models->Empty() || models->Size() > kMaxModels) {
    return bad("models", "must be an array of 1 to " + std::to_string(kMaxModels) + " model ids");
  }
  for (const auto& m : models->GetArray()) {
    if (!m.IsString() || config.find_model(as_view(m)) == nullptr) {
      return bad("models", "names a model that is not configured");
    }
    if (std::find(spec.models.begin(), spec.models.end(), as_view(m)) != spec.models.end()) {
      return bad("models", "names a model twice");
    }
    spec.models.emplace_back(as_view(m));
  }

  auto scorer = parse_scorer(json_member(body, "scorer"), config);
  if (!scorer.ok()) return scorer.error();
  spec.scorer = std::move(*scorer);

  const JsonValue* optimizer = json_member(body, "optimizer");
  if (optimizer == nullptr || !optimizer->IsObject()) {
    return bad("optimizer", "must be an object with model (and meta_prompt)");
  }
  auto omodel = text_field(*optimizer, "model", 256, true, "optimizer.model");
  if (!omodel.ok()) return omodel.error();
  if (config.find_model(*omodel) == nullptr) return bad("optimizer.model", "unknown model");
  spec.optimizer_model = *omodel;
  auto meta =
      text_field(*optimizer, "meta_prompt", kMaxPromptBytes, false, "optimizer.meta_prompt");
  if (!meta.ok()) return meta.error();
  spec.meta_prompt = meta->empty() ? std::string(default_meta_prompt()) : *meta;

  auto rounds = int_field(body, "rounds", 5, 1, kMaxRounds, "rounds");
  if (!rounds.ok()) return rounds.error();
  spec.rounds = static_cast<int>(*rounds);
  auto cands =
      int_field(body, "candidates_per_round", 4, 1, kMaxCandidates, "candidates_per_round");
  if (!cands.ok()) return cands.error();
  spec.candidates_per_round = static_cast<int>(*cands);
  auto max_tokens = int_field(body, "max_tokens", 256, 1, 32768, "max_tokens");
  if (!max_tokens.ok()) return max_tokens.error();
  spec.max_tokens = static_cast<int>(*max_tokens);

  if (const JsonValue* budget = json_member(body, "budget"); budget && !budget->IsNull()) {
    if (!budget->IsObject()) return bad("budget", "must be an object");
    auto tokens = int_field(*budget, "tokens", 0, 0, INT64_MAX, "budget.tokens");
    if (!tokens.ok()) return tokens.error();
    auto nano = int_field(*budget, "cost_nano_usd", 0, 0, INT64_MAX, "budget.cost_nano_usd");
    if (!nano.ok()) return nano.error();
    spec.budget_tokens = *tokens;
    spec.budget_nano_usd = *nano;
  }
  if (const JsonValue* t = json_member(body, "target_score"); t && !t->IsNull()) {
    if (!t->IsNumber() || t->GetDouble() < 0 || t->GetDouble() > 1) {
      return bad("target_score", "must be a number from 0 to 1");
    }
    spec.target_score = t->GetDouble();
  }
  const std::size_t per_round =
      spec.train.size() * spec.models.size() * static_cast<std::size_t>(spec.candidates_per_round);
  if (per_round > kMaxJobsPerRound) {
    return bad("dataset", "train examples x models x candidates_per_round exceeds " +
                              std::to_string(kMaxJobsPerRound) + " jobs per round");
  }
  return spec;
}

Result<std::vector<DatasetExample>> parse_dataset_lines(std::string_view jsonl) {
  std::vector<DatasetExample> out;
  std::size_t line_no = 0;
  while (!jsonl.empty()) {
    const std::size_t nl = jsonl.find('\n');
    std::string_view line = jsonl.substr(0, nl);
    jsonl = nl == std::string_view::npos ? std::string_view() : jsonl.substr(nl + 1);
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (out.size() >= kMaxExamples) {
      return bad("dataset.file_id", "holds more than " + std::to_string(kMaxExamples) + " lines");
    }
    auto doc = parse_json(line);
    if (!doc.ok())
      return bad("dataset.file_id", "line " + std::to_string(line_no) + " is not JSON");
    auto e = parse_example(*doc, "dataset.file_id line " + std::to_string(line_no));
    if (!e.ok()) return e.error();
    out.push_back(std::move(*e));
  }
  return out;
}

std::string spec_json(const OptimizationSpec& spec) {
  JsonWriter w;
  w.begin_object();
  w.field("task_prompt", spec.task_prompt);
  auto examples = [&](std::string_view key, const std::vector<DatasetExample>& list) {
    w.key(key).begin_array();
    for (const auto& e : list) {
      w.begin_object().field("input", e.input).field("expected", e.expected).end_object();
    }
    w.end_array();
  };
  examples("train", spec.train);
  examples("validation", spec.validation);
  w.key("models").begin_array();
  for (const auto& m : spec.models)
    w.value(m);
  w.end_array();
  w.key("scorer").begin_object();
  w.field("type", spec.scorer.type).field("field", spec.scorer.field);
  w.field("tolerance", spec.scorer.tolerance);
  w.field("judge_prompt", spec.scorer.judge_prompt).field("judge_model", spec.scorer.judge_model);
  w.end_object();
  w.field("optimizer_model", spec.optimizer_model).field("meta_prompt", spec.meta_prompt);
  w.field("rounds", spec.rounds).field("candidates_per_round", spec.candidates_per_round);
  w.field("budget_tokens", spec.budget_tokens).field("budget_nano_usd", spec.budget_nano_usd);
  w.optional_field("target_score", spec.target_score);
  w.field("seed", spec.seed).field("max_tokens", spec.max_tokens);
  w.end_object();
  return w.str();
}

Result<OptimizationSpec> decode_spec_json(std::string_view json) {
  auto doc = parse_json(json);
  if (!doc.ok() || !doc->IsObject()) return Error::internal("optimization spec is not JSON");
  const JsonValue& d = *doc;
  OptimizationSpec s;
  s.task_prompt = json_string(d, "task_prompt").value_or("");
  auto examples = [&](std::string_view key, std::vector<DatasetExample>* list) {
    if (const JsonValue* a = json_member(d, key); a && a->IsArray()) {
      for (const auto& e : a->GetArray()) {
        list->push_back({std::string(json_string(e, "input").value_or("")),
                         std::string(json_string(e, "expected").value_or(""))});
      }
    }
  };
  examples("train", &s.train);
  examples("validation", &s.validation);
  if (const JsonValue* a = json_member(d, "models"); a && a->IsArray()) {
    for (const auto& m : a->GetArray())
      if (m.IsString()) s.models.emplace_back(as_view(m));
  }
  if (const JsonValue* sc = json_member(d, "scorer"); sc && sc->IsObject()) {
    s.scorer.type = json_string(*sc, "type").value_or("exact");
    s.scorer.field = json_string(*sc, "field").value_or("");
    s.scorer.tolerance = json_number(*sc, "tolerance").value_or(0);
    s.scorer.judge_prompt = json_string(*sc, "judge_prompt").value_or("");
    s.scorer.judge_model = json_string(*sc, "judge_model").value_or("");
  }
  s.optimizer_model = json_string(d, "optimizer_model").value_or("");
  s.meta_prompt = json_string(d, "meta_prompt").value_or("");
  s.rounds = static_cast<int>(json_int(d, "rounds").value_or(1));
  s.candidates_per_round = static_cast<int>(json_int(d, "candidates_per_round").value_or(1));
  s.budget_tokens = json_int(d, "budget_tokens").value_or(0);
  s.budget_nano_usd = json_int(d, "budget_nano_usd").value_or(0);
  s.target_score = json_number(d, "target_score");
  if (const JsonValue* v = json_member(d, "seed"); v && v->IsUint64()) s.seed = v->GetUint64();
  s.max_tokens = static_cast<int>(json_int(d, "max_tokens").value_or(256));
  return s;
}

std::string fill_prompt(std::string_view prompt, std::string_view input) {
  std::string out;
  std::size_t from = 0;
  while (true) {
    const std::size_t at = prompt.find(kInputPlaceholder, from);
    if (at == std::string_view::npos) break;
    out.append(prompt.substr(from, at - from)).append(input);
    from = at + kInputPlaceholder.size();
  }
  out.append(prompt.substr(from));
  return out;
}

}  // namespace bl
