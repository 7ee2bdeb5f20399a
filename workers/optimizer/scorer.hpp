#pragma once
// Scores one output against its expected output, in [0, 1]. Pure and deterministic, so a
// score recomputed after any restart is the same score.

#include <optional>
#include <string>
#include <string_view>

#include "workers/optimizer/optimization_spec.hpp"

namespace bl {

// Outputs and patterns longer than this are cut before scoring (bounds regex work).
inline constexpr std::size_t kMaxScoredBytes = 8192;

// The score of `output` for the non-judge scorers (exact, contains, regex, json_field,
// numeric). Output and expected are compared with surrounding whitespace trimmed.
double score_output(const ScorerSpec& scorer, std::string_view output, std::string_view expected);

// The judge's prompt for one output ({input}, {output} and {expected} filled in).
std::string judge_prompt(const ScorerSpec& scorer, std::string_view input, std::string_view output,
                         std::string_view expected);

// The score in a judge's answer: the first number after "score:" (or the first number at
// all), clamped to [0, 1]; nullopt when there is none.
std::optional<double> judge_score(std::string_view answer);

}  // namespace bl
