#pragma once
// Deterministic task "models" of the mock LLM, for optimization tests (contract 1):
//
//  - "mock-task" answers the first task it finds in the text: `sum(A,B)`, `upper(WORD)` or
//    `reverse(WORD)`. It answers right only when the text also holds that task's instruction
//    (kMockTaskInstructions, case-insensitive); otherwise it answers wrong in a fixed way. A
//    prompt holding all three instructions is the known optimum (score 1.0 on any dataset of
//    these tasks).
//  - "mock-optimizer" reads an OPRO-style history (`<prompt>…</prompt>` blocks, best last) and
//    a line `variant K seed S`; it answers the best prompt with one missing instruction put
//    in front, the instruction chosen by (K + S) modulo the number missing, as
//    `<prompt>…</prompt>`. With nothing missing it answers the best prompt unchanged.
//  - "mock-json" answers a truncated JSON object, or the whole object when the system text
//    asks for "only the JSON" (a repair request).
//  - "mock-judge" answers `score: 1` when the text holds `expected: X` and `output: X` with
//    the same X, else `score: 0`.
//
// Every other model gets std::nullopt (the mock's ordinary echo).

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace bl {

inline constexpr std::array<std::string_view, 3> kMockTaskInstructions = {
    "add the numbers", "use capital letters", "reverse the word"};

std::optional<std::string> mock_task_reply(std::string_view model, std::string_view system_text,
                                           std::string_view last_user_text);

}  // namespace bl
