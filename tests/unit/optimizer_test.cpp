// The pure parts of the optimizer: scorers, the mock's deterministic task, the OPRO history and
// the parsing of proposals.

#include <gtest/gtest.h>

#include "workers/mock_llm/mock_task.hpp"
#include "workers/optimizer/next_step.hpp"
#include "workers/optimizer/scorer.hpp"

namespace bl {
namespace {

TEST(Scorer, EachKindComparesAsDocumented) {
  ScorerSpec s;
  s.type = "exact";
  EXPECT_EQ(score_output(s, " 42\n", "42"), 1);
  EXPECT_EQ(score_output(s, "42.", "42"), 0);
  s.type = "contains";
  EXPECT_EQ(score_output(s, "the answer is 42", "42"), 1);
  EXPECT_EQ(score_output(s, "the answer is 41", "42"), 0);
  s.type = "regex";
  EXPECT_EQ(score_output(s, "order #1234 shipped", "#[0-9]{4}"), 1);
  EXPECT_EQ(score_output(s, "order shipped", "#[0-9]{4}"), 0);
  EXPECT_EQ(score_output(s, "anything", "(unclosed"), 0);  // a bad pattern scores 0
  s.type = "json_field";
  s.field = "city";
  EXPECT_EQ(score_output(s, R"({"city": "Paris", "n": 1})", "Paris"), 1);
  EXPECT_EQ(score_output(s, R"({"city": "Paris"})", R"({"city": "Paris"})"), 1);
  EXPECT_EQ(score_output(s, R"({"city": "Rome"})", "Paris"), 0);
  EXPECT_EQ(score_output(s, "not json", "Paris"), 0);
  s.type = "numeric";
  s.tolerance = 0.01;
  EXPECT_EQ(score_output(s, "3.141", "3.14"), 1);
  EXPECT_EQ(score_output(s, "3.2", "3.14"), 0);
  EXPECT_EQ(score_output(s, "pi", "3.14"), 0);
}

TEST(Scorer, JudgeAnswersAreReadAndClamped) {
  EXPECT_EQ(judge_score("score: 0.75"), 0.75);
  EXPECT_EQ(judge_score("I give it score: 7"), 1.0);
  EXPECT_EQ(judge_score("no number"), std::nullopt);
  ScorerSpec s;
  s.judge_prompt = "in {input} out {output} want {expected} {other}";
  EXPECT_EQ(judge_prompt(s, "a", "b", "c"), "in a out b want c {other}");
}

TEST(MockTask, AnswersRightOnlyWithTheTasksInstruction) {
  EXPECT_EQ(mock_task_reply("mock-task", "", "Solve: sum(2,3)"), "23");
  EXPECT_EQ(mock_task_reply("mock-task", "", "Add the numbers. Solve: sum(2,3)"), "5");
  EXPECT_EQ(mock_task_reply("mock-task", "", "Solve: upper(cat)"), "cat");
  EXPECT_EQ(mock_task_reply("mock-task", "Use capital letters.", "upper(cat)"), "CAT");
  EXPECT_EQ(mock_task_reply("mock-task", "", "Reverse the word: reverse(abc)"), "cba");
  EXPECT_EQ(mock_task_reply("test-model", "", "sum(1,2)"), std::nullopt);
  EXPECT_EQ(mock_task_reply("mock-judge", "", "expected: 5\noutput: 5\n"), "score: 1");
  EXPECT_EQ(mock_task_reply("mock-judge", "", "expected: 5\noutput: 6\n"), "score: 0");
}

TEST(MockTask, TheOptimizerAddsAMissingInstructionToTheBestPrompt) {
  const std::string history =
      "<prompt>Solve: {input}</prompt>\nscore: 0.000\n\n"
      "<prompt>Use capital letters. Solve: {input}</prompt>\nscore: 0.333\n\n"
      "Write variant 0 of 2 (seed 0).";
  EXPECT_EQ(mock_task_reply("mock-optimizer", "meta", history),
            "<prompt>Add the numbers. Use capital letters. Solve: {input}</prompt>");
  auto other =
      mock_task_reply("mock-optimizer", "meta",
                      history.substr(0, history.rfind("Write")) + "Write variant 1 of 2 (seed 0).");
  EXPECT_EQ(other, "<prompt>Reverse the word. Use capital letters. Solve: {input}</prompt>");
  const std::string optimum =
      "<prompt>Add the numbers. Use capital letters. Reverse the word. {input}</prompt>\n"
      "Write variant 1 of 2 (seed 3).";
  EXPECT_EQ(mock_task_reply("mock-optimizer", "", optimum),
            "<prompt>Add the numbers. Use capital letters. Reverse the word. {input}</prompt>");
}

TEST(OptimizerHistory, PromptsAscendByScoreWithTheBestLast) {
  OptimizationRun run;
  run.spec = OptimizationSpec{};
  run.spec->candidates_per_round = 2;
  auto add = [&](std::string id, std::string prompt, double score) {
    Candidate c;
    c.id = std::move(id);
    c.prompt = std::move(prompt);
    c.train = CandidateScore{score, {}};
    run.candidates.push_back(std::move(c));
  };
  add("c1.0", "seed {input}", 0.0);
  add("c2.0", "first {input}", 0.5);
  add("c2.1", "second {input}", 0.5);
  add("c2.2", "bad {input}", 0.25);
  const std::string h = optimizer_history(run, 1, 9);
  EXPECT_LT(h.find("seed"), h.find("bad"));
  EXPECT_LT(h.find("bad"), h.find("second"));
  EXPECT_LT(h.find("second"), h.find("first"));  // equal scores: the earliest is the best
  EXPECT_NE(h.find("variant 1 of 2 (seed 9)"), std::string::npos);
  EXPECT_EQ(best_candidate(run)->id, "c2.0");
}

TEST(OptimizerHistory, ProposalsAreTakenFromTheirTagsAndKeepThePlaceholder) {
  EXPECT_EQ(proposed_prompt("Sure! <prompt> Be brief. {input} </prompt> Done."),
            "Be brief. {input}");
  EXPECT_EQ(proposed_prompt("Be brief."), "Be brief.\n\n{input}");
  EXPECT_EQ(proposed_prompt("  <prompt> </prompt>"), "");
}

TEST(OptimizationSpec, FillsEveryPlaceholder) {
  EXPECT_EQ(fill_prompt("{input} and {input}", "x"), "x and x");
}

}  // namespace
}  // namespace bl
