#include "workers/optimizer/scorer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "core/json.hpp"

namespace bl {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 64) return std::nullopt;
  const std::string text(s);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// A JSON value as comparable text: strings bare, everything else as JSON.
std::string value_text(const JsonValue& v) {
  return v.IsString() ? std::string(as_view(v)) : to_json(v);
}

double json_field_score(std::string_view field, std::string_view output,
                        std::string_view expected) {
  auto doc = parse_json(trim(output));
  if (!doc.ok() || !doc->IsObject()) return 0;
  const JsonValue* v = json_member(*doc, field);
  if (v == nullptr) return 0;
  // The expected output may be the bare value or an object holding the field.
  std::string want(trim(expected));
  if (auto e = parse_json(want); e.ok() && e->IsObject()) {
    const JsonValue* ev = json_member(*e, field);
    if (ev == nullptr) return 0;
    want = value_text(*ev);
  }
  return value_text(*v) == want ? 1 : 0;
}

double regex_score(std::string_view output, std::string_view pattern) {
  try {
    const std::regex re(std::string(pattern), std::regex::ECMAScript);
    return std::regex_search(std::string(output), re) ? 1 : 0;
  } catch (const std::exception&) {
    return 0;  // a bad pattern, or a match too complex for the engine
  }
}

}  // namespace

double score_output(const ScorerSpec& scorer, std::string_view output, std::string_view expected) {
  output = trim(output.substr(0, kMaxScoredBytes));
  expected = trim(expected.substr(0, kMaxScoredBytes));
  if (scorer.type == "exact") return output == expected ? 1 : 0;
  if (scorer.type == "contains") return output.find(expected) != std::string_view::npos ? 1 : 0;
  if (scorer.type == "regex") return regex_score(output, expected);
  if (scorer.type == "json_field") return json_field_score(scorer.field, output, expected);
  if (scorer.type == "numeric") {
    auto got = parse_number(output);
    auto want = parse_number(expected);
    return got && want && std::fabs(*got - *want) <= scorer.tolerance ? 1 : 0;
  }
  return 0;
}

std::string judge_prompt(const ScorerSpec& scorer, std::string_view input, std::string_view output,
                         std::string_view expected) {
  std::string out;
  std::string_view p = scorer.judge_prompt;
  while (!p.empty()) {
    const std::size_t at = p.find('{');
    out.append(p.substr(0, at));
    if (at == std::string_view::npos) break;
    p = p.substr(at);
    if (p.starts_with("{input}")) {
      out.append(input), p.remove_prefix(7);
    } else if (p.starts_with("{output}")) {
      out.append(output), p.remove_prefix(8);
    } else if (p.starts_with("{expected}")) {
      out.append(expected), p.remove_prefix(10);
    } else {
      out.push_back('{'), p.remove_prefix(1);
    }
  }
  return out;
}

std::optional<double> judge_score(std::string_view answer) {
  std::size_t at = answer.find("score:");
  at = at == std::string_view::npos ? 0 : at + 6;
  const std::size_t start = answer.find_first_of("0123456789", at);
  if (start == std::string_view::npos) return std::nullopt;
  const std::size_t end = answer.find_first_not_of("0123456789.", start);
  auto v = parse_number(answer.substr(start, end - start));
  if (!v) return std::nullopt;
  return std::clamp(*v, 0.0, 1.0);
}

}  // namespace bl
