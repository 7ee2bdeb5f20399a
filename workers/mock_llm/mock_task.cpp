#include "workers/mock_llm/mock_task.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace bl {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool holds(std::string_view text, std::string_view instruction) {
  return lower(text).find(instruction) != std::string::npos;
}

std::optional<long long> number(std::string_view s) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// The first `sum(A,B)`, `upper(W)` or `reverse(W)` in the text, answered.
std::string task_answer(std::string_view text) {
  constexpr std::array<std::string_view, 3> kTasks = {"sum(", "upper(", "reverse("};
  std::size_t first_at = std::string_view::npos;
  int task = -1;
  for (int i = 0; i < 3; ++i) {
    const std::size_t at = text.find(kTasks[i]);
    if (at < first_at) first_at = at, task = i;
  }
  if (task < 0) return "unknown task";
  const std::size_t args = first_at + kTasks[task].size();
  const std::size_t close = text.find(')', args);
  if (close == std::string_view::npos) return "unknown task";
  const std::string_view arg = text.substr(args, close - args);
  const bool instructed = holds(text, kMockTaskInstructions[task]);
  if (task == 0) {
    const std::size_t comma = arg.find(',');
    if (comma == std::string_view::npos) return "not numbers";
    auto x = number(arg.substr(0, comma)), y = number(arg.substr(comma + 1));
    if (!x || !y) return "not numbers";
    return instructed ? std::to_string(*x + *y)
                      : std::string(arg.substr(0, comma)) + std::string(arg.substr(comma + 1));
  }
  std::string w(arg);
  if (!instructed) return w;
  if (task == 1) {
    for (auto& c : w)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  } else {
    std::reverse(w.begin(), w.end());
  }
  return w;
}

// The last <prompt>…</prompt> block of the history: the best prompt.
std::optional<std::string_view> last_prompt(std::string_view text) {
  const std::size_t open = text.rfind("<prompt>");
  if (open == std::string_view::npos) return std::nullopt;
  const std::size_t start = open + 8;
  const std::size_t close = text.find("</prompt>", start);
  if (close == std::string_view::npos) return std::nullopt;
  return text.substr(start, close - start);
}

long long number_after(std::string_view text, std::string_view label) {
  const std::size_t at = text.rfind(label);
  if (at == std::string_view::npos) return 0;
  std::string_view rest = text.substr(at + label.size());
  std::size_t n = 0;
  while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n])))
    ++n;
  return number(rest.substr(0, n)).value_or(0);
}

std::string optimizer_answer(std::string_view text) {
  auto best = last_prompt(text);
  if (!best) return "no history";
  std::vector<std::string_view> missing;
  for (auto instruction : kMockTaskInstructions) {
    if (!holds(*best, instruction)) missing.push_back(instruction);
  }
  std::string proposal(*best);
  if (!missing.empty()) {
    const long long pick = number_after(text, "variant ") + number_after(text, "seed ");
    std::string_view add = missing[static_cast<std::size_t>(pick) % missing.size()];
    std::string sentence(add);
    sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
    proposal = sentence + ". " + proposal;
  }
  return "<prompt>" + proposal + "</prompt>";
}

std::string judge_answer(std::string_view text) {
  auto value_of = [&](std::string_view label) -> std::string_view {
    const std::size_t at = text.find(label);
    if (at == std::string_view::npos) return {};
    std::string_view rest = text.substr(at + label.size());
    return rest.substr(0, rest.find('\n'));
  };
  const std::string_view expected = value_of("expected: ");
  return !expected.empty() && expected == value_of("output: ") ? "score: 1" : "score: 0";
}

}  // namespace

std::optional<std::string> mock_task_reply(std::string_view model, std::string_view system_text,
                                           std::string_view last_user_text) {
  if (model == "mock-task")
    return task_answer(std::string(system_text) + "\n" + std::string(last_user_text));
  if (model == "mock-optimizer") return optimizer_answer(last_user_text);
  if (model == "mock-judge") return judge_answer(last_user_text);
  if (model == "mock-json") {
    // Broken JSON first; a repair request (asking for "only the JSON") gets it right.
    return holds(system_text, "only the json") ? R"({"answer": 5})" : R"({"answer": 5)";
  }
  return std::nullopt;
}

}  // namespace bl
