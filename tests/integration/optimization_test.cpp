// Optimization runs end to end on the mock's deterministic task (workers/mock_llm/mock_task.hpp):
// every LLM call is a job through relay, Redis and a worker; the optimization manager in the
// project role advances the run from its jobs' results.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/json.hpp"
#include "tests/support/batch_client.hpp"
#include "tests/support/pipeline.hpp"

namespace bl {
namespace {

using test::parse_or_die;

// A second mock for the task models, so the test knows its port when it writes the registry.
struct TaskPipeline {
  explicit TaskPipeline(int latency_ms = 0) : task_port(test::free_port()), p(options(task_port)) {
    task_mock = std::make_unique<test::Process>(
        std::vector<std::string>{"mock-llm", "--port", std::to_string(task_port), "--latency-ms",
                                 std::to_string(latency_ms)},
        p.env, test::scratch_dir() + "/task-mock.log");
  }

  static test::PipelineOptions options(int port) {
    test::PipelineOptions o;
    o.extra_config_json = R"("optimization_manager_poll_ms": 50)";
    std::string models;
    for (const char* m :
         {"mock-task", "mock-task-b", "mock-optimizer", "mock-judge", "mock-json"}) {
      const std::string upstream = std::string(m) == "mock-task-b" ? "mock-task" : m;
      if (!models.empty()) models += ",";
      models += R"({"id": ")" + std::string(m) +
                R"(", "provider": "openai", "base_url": "http://127.0.0.1:)" +
                std::to_string(port) + R"(", "upstream_model": ")" + upstream +
                R"(", "input_usd_per_mtok": 1.0, "output_usd_per_mtok": 2.0})";
    }
    o.extra_models_json = models;
    return o;
  }

  bool ready() {
    return p.ready() && test::wait_until([&] {
             return test::http("GET", "http://127.0.0.1:" + std::to_string(task_port) + "/healthz")
                        .status == 200;
           });
  }

  int task_port;
  test::Pipeline p;
  std::unique_ptr<test::Process> task_mock;
};

// Three tasks in each split, one of each kind: only a prompt holding all three instructions
// answers everything right.
std::string run_body(int seed, const std::string& extra = "") {
  return R"J({"task_prompt": "Solve: {input}",
    "dataset": {"examples": [
      {"input": "sum(2,3)", "expected": "5", "split": "train"},
      {"input": "upper(cat)", "expected": "CAT", "split": "train"},
      {"input": "reverse(abc)", "expected": "cba", "split": "train"},
      {"input": "sum(10,7)", "expected": "17", "split": "validation"},
      {"input": "upper(dog)", "expected": "DOG", "split": "validation"},
      {"input": "reverse(xyz)", "expected": "zyx", "split": "validation"}]
},
    "models": ["mock-task", "mock-task-b"],
    "scorer": {"type": "exact"},
    "optimizer": {"model": "mock-optimizer"},
    "rounds": 5, "candidates_per_round": 2, "target_score": 1.0, "seed": )J" +
         std::to_string(seed) + extra + "}";
}

// The same run with one round only.
std::string one_round(std::string body) {
  body.replace(body.find(R"("rounds": 5)"), 11, R"("rounds": 1)");
  return body;
}

std::string create_run(test::Pipeline& p, const std::string& body) {
  auto r = p.post("/v1/optimizations", body);
  EXPECT_EQ(r.status, 201) << r.body;
  return std::string(json_string(parse_or_die(r.body), "id").value_or(""));
}

bool is_finished(const std::string& status) {
  return status == "completed" || status == "cancelled";
}

JsonDocument wait_for_end(test::Pipeline& p, const std::string& id) {
  std::string body;
  EXPECT_TRUE(test::wait_until(
      [&] {
        auto r = p.get("/v1/optimizations/" + id);
        body = r.body;
        return r.status == 200 &&
               is_finished(std::string(json_string(parse_or_die(r.body), "status").value_or("")));
      },
      std::chrono::seconds(90), std::chrono::milliseconds(100)))
      << body;
  return parse_or_die(body);
}

// The leaderboard without anything that may differ between two runs of one seed.
std::string leaderboard_text(const JsonDocument& run) {
  std::string out;
  for (const auto& c : run["leaderboard"].GetArray()) {
    out += to_json(c) + "\n";
  }
  return out;
}

std::string uuid_of(const std::string& api_id) {
  return from_api_id(id_prefix::kOptimization, api_id)->to_string();
}

// Eval jobs per round as recorded in the run's stream: round -> (jobs, new candidates).
std::map<int, std::pair<int, int>> jobs_per_round(test::Pipeline& p, const std::string& id) {
  auto c = p.db.connect();
  pqxx::work tx(*c);
  std::map<int, std::pair<int, int>> out;
  for (const auto& r : tx.exec_params(
           "SELECT (data->>'round')::int, jsonb_array_length(data->'jobs'), "
           "jsonb_array_length(data->'candidates') FROM events WHERE stream_id = $1::uuid "
           "AND event_type = 'OptimizationRoundStarted'",
           uuid_of(id))) {
    out[r[0].as<int>()] = {r[1].as<int>(), r[2].as<int>()};
  }
  return out;
}

int count_run_events(test::Pipeline& p, const std::string& id, const std::string& type) {
  auto c = p.db.connect();
  pqxx::work tx(*c);
  return tx
      .exec_params1("SELECT count(*) FROM events WHERE stream_id = $1::uuid AND event_type = $2",
                    uuid_of(id), type)[0]
      .as<int>();
}

void expect_known_optimum(const JsonDocument& run) {
  EXPECT_EQ(json_string(run, "status"), "completed");
  EXPECT_EQ(json_string(run, "stop_reason"), "target_reached");
  EXPECT_DOUBLE_EQ(json_number(run, "seed_validation_score").value_or(-1), 0.0);
  const JsonValue& best = run["best"];
  ASSERT_TRUE(best.IsObject());
  EXPECT_DOUBLE_EQ(json_number(best, "train_score").value_or(-1), 1.0);
  EXPECT_DOUBLE_EQ(json_number(best, "validation_score").value_or(-1), 1.0);
  const std::string prompt(json_string(best, "prompt").value_or(""));
  for (const char* instruction : {"Add the numbers", "Use capital letters", "Reverse the word"}) {
    EXPECT_NE(prompt.find(instruction), std::string::npos) << prompt;
  }
  EXPECT_LE(json_int(run, "round").value_or(99), 5);
  EXPECT_GT(json_int(run["spend"], "input_tokens").value_or(0), 0);
  EXPECT_GT(json_int(run["spend"], "cost_nano_usd").value_or(0), 0);
}

TEST(Optimization, ImprovesFromTheSeedPromptToTheKnownOptimumAndRepeatsForTheSameSeed) {
  TaskPipeline t;
  ASSERT_TRUE(t.ready());
  const std::string first = create_run(t.p, run_body(7));
  auto a = wait_for_end(t.p, first);
  expect_known_optimum(a);
  // Round 1 is the seed alone; each later round evaluates its new, distinct candidates on every
  // train example (3) and model (2): one job each.
  auto rounds = jobs_per_round(t.p, first);
  ASSERT_GE(rounds.size(), 2u);
  EXPECT_EQ(rounds[1].second, 1);
  for (const auto& [round, counts] : rounds) {
    EXPECT_EQ(counts.first, counts.second * 3 * 2) << "round " << round;
    EXPECT_LE(counts.second, 2) << "round " << round;
  }
  // Scored once per round, however often the manager looked.
  EXPECT_EQ(count_run_events(t.p, first, "OptimizationRoundScored"),
            static_cast<int>(rounds.size()));
  // Per-model scores are there for every scored candidate.
  for (const auto& c : a["leaderboard"].GetArray()) {
    EXPECT_TRUE(c["scores_by_model"].HasMember("mock-task")) << to_json(c);
    EXPECT_TRUE(c["scores_by_model"].HasMember("mock-task-b")) << to_json(c);
  }

  const std::string second = create_run(t.p, run_body(7));
  auto b = wait_for_end(t.p, second);
  EXPECT_EQ(leaderboard_text(a), leaderboard_text(b));
  EXPECT_EQ(jobs_per_round(t.p, second), rounds);

  // A different seed explores another path but still finds the optimum.
  auto c = wait_for_end(t.p, create_run(t.p, run_body(8)));
  expect_known_optimum(c);
  EXPECT_NE(leaderboard_text(a), leaderboard_text(c));

  // The list shows all three, newest first.
  auto list = parse_or_die(t.p.get("/v1/optimizations").body);
  ASSERT_EQ(list["data"].Size(), 3u);
  EXPECT_EQ(json_string(list["data"][2], "id"), first);

  // The best prompt goes into the library, published, in one call.
  auto published = t.p.post("/v1/optimizations/" + first + "/publish", R"({"name": "solver"})");
  ASSERT_EQ(published.status, 201) << published.body;
  auto version = parse_or_die(published.body);
  EXPECT_EQ(json_string(version, "state"), "published");
  EXPECT_EQ(json_string(version, "content"), json_string(a["best"], "prompt"));
  EXPECT_EQ(json_string(version["source"], "id"), first);
  auto prompt = t.p.get("/v1/prompts/" + std::string(*json_string(version, "prompt_id")));
  ASSERT_EQ(prompt.status, 200) << prompt.body;
  EXPECT_EQ(json_string(parse_or_die(prompt.body), "name"), "solver");
}

TEST(Optimization, TheBudgetCeilingStopsTheRun) {
  TaskPipeline t;
  ASSERT_TRUE(t.ready());
  const std::string id = create_run(t.p, run_body(7, R"(, "budget": {"tokens": 40})"));
  auto run = wait_for_end(t.p, id);
  EXPECT_EQ(json_string(run, "status"), "completed");
  EXPECT_EQ(json_string(run, "stop_reason"), "budget_exhausted");
  EXPECT_LT(json_int(run, "round").value_or(99), 5);
  EXPECT_GE(json_int(run["spend"], "input_tokens").value_or(0) +
                json_int(run["spend"], "output_tokens").value_or(0),
            40);
  EXPECT_EQ(count_run_events(t.p, id, "OptimizationValidationStarted"), 0);
}

TEST(Optimization, BadRequestsAreRefusedByField) {
  TaskPipeline t;
  ASSERT_TRUE(t.ready());
  const std::pair<std::string, std::string> cases[] = {
      {R"({"task_prompt": "no placeholder"})", "task_prompt"},
      {R"({"task_prompt": "{input}", "dataset": {"examples": []}, "models": ["mock-task"]})",
       "dataset"},
      {R"({"task_prompt": "{input}", "dataset": {"examples": [{"input": "a", "expected": "b"},
          {"input": "c", "expected": "d"}, {"input": "e", "expected": "f"}]},
          "models": ["no-such-model"]})",
       "models"},
  };
  for (const auto& [body, field] : cases) {
    auto r = t.p.post("/v1/optimizations", body);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find(field), std::string::npos) << r.body;
  }
  EXPECT_EQ(t.p.post("/v1/optimizations", "[1]").status, 400);
  EXPECT_EQ(t.p.get("/v1/optimizations/opt_nothing").status, 404);
}

// Every job the run submitted and how many of them have ended (succeeded, failed, cancelled).
std::pair<int, int> run_jobs_ended(test::Pipeline& p, const std::string& id) {
  auto c = p.db.connect();
  pqxx::work tx(*c);
  auto r = tx.exec_params1(
      "WITH jobs AS (SELECT DISTINCT (j->>'job')::uuid AS job FROM events, "
      "jsonb_array_elements(data->'jobs') j WHERE stream_id = $1::uuid) "
      "SELECT (SELECT count(*) FROM jobs), (SELECT count(*) FROM events WHERE stream_id IN "
      "(SELECT job FROM jobs) AND event_type IN ('JobSucceeded', 'JobFailed', 'JobCancelled'))",
      uuid_of(id));
  return {r[0].as<int>(), r[1].as<int>()};
}

int run_version(test::Pipeline& p, const std::string& id) {
  auto c = p.db.connect();
  pqxx::work tx(*c);
  return tx
      .exec_params1("SELECT max(version) FROM events WHERE stream_id = $1::uuid", uuid_of(id))[0]
      .as<int>();
}

bool all_jobs_ended(test::Pipeline& p, const std::string& id) {
  auto [jobs, ended] = run_jobs_ended(p, id);
  return jobs > 0 && jobs == ended;
}

TEST(Optimization, PauseHoldsTheRunResumeContinuesCancelStopsItsQueuedJobs) {
  TaskPipeline t(200);
  ASSERT_TRUE(t.ready());
  const std::string id = create_run(t.p, run_body(7));
  ASSERT_TRUE(test::wait_until([&] { return jobs_per_round(t.p, id).count(1) != 0; },
                               std::chrono::seconds(30)));
  auto paused = t.p.post("/v1/optimizations/" + id + "/pause", "");
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(json_string(parse_or_die(paused.body), "status"), "paused");
  EXPECT_EQ(t.p.post("/v1/optimizations/" + id + "/pause", "").status, 409);
  const int version = run_version(t.p, id);
  // Jobs already submitted finish; the run takes no further step while paused.
  ASSERT_TRUE(test::wait_until([&] { return all_jobs_ended(t.p, id); }, std::chrono::seconds(30)));
  EXPECT_EQ(run_version(t.p, id), version);
  EXPECT_EQ(json_string(parse_or_die(t.p.get("/v1/optimizations/" + id).body), "status"), "paused");

  ASSERT_EQ(t.p.post("/v1/optimizations/" + id + "/resume", "").status, 200);
  ASSERT_TRUE(test::wait_until(
      [&] { return json_int(parse_or_die(t.p.get("/v1/optimizations/" + id).body), "round") >= 2; },
      std::chrono::seconds(30)));

  auto cancelled = t.p.post("/v1/optimizations/" + id + "/cancel", "");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  auto run = wait_for_end(t.p, id);
  EXPECT_EQ(json_string(run, "status"), "cancelled");
  EXPECT_EQ(t.p.post("/v1/optimizations/" + id + "/resume", "").status, 409);
  // Nothing of the run is left queued: every job ended, once.
  ASSERT_TRUE(test::wait_until([&] { return all_jobs_ended(t.p, id); }, std::chrono::seconds(30)));
  auto c = t.p.db.connect();
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec("SELECT stream_id FROM events WHERE event_type IN ('JobSucceeded', "
                    "'JobFailed', 'JobCancelled') GROUP BY stream_id HAVING count(*) > 1")
                .size(),
            0u);
}

TEST(Optimization, KillingTheManagerAndTheWorkerMidRunChangesNothingInTheResult) {
  TaskPipeline t(100);
  ASSERT_TRUE(t.ready());
  const std::string baseline_id = create_run(t.p, run_body(7));
  auto baseline = wait_for_end(t.p, baseline_id);

  const std::string id = create_run(t.p, run_body(7));
  // processes: ingest, relay, work, project (in Pipeline's start order).
  test::Process* worker = t.p.processes[2].get();
  test::Process* project = t.p.processes[3].get();
  // The manager dies while round 2's jobs are in flight, and comes back.
  ASSERT_TRUE(test::wait_until([&] { return jobs_per_round(t.p, id).count(2) != 0; },
                               std::chrono::seconds(30)));
  project->kill_now();
  t.p.start_role("project");
  // The worker dies between two steps (the worker on main does not reclaim the deliveries of
  // a dead consumer yet, so it must hold none): pause, let the jobs end, kill, restart.
  ASSERT_TRUE(test::wait_until([&] { return jobs_per_round(t.p, id).count(3) != 0; },
                               std::chrono::seconds(30)));
  ASSERT_EQ(t.p.post("/v1/optimizations/" + id + "/pause", "").status, 200);
  ASSERT_TRUE(test::wait_until([&] { return all_jobs_ended(t.p, id); }, std::chrono::seconds(30)));
  worker->kill_now();
  t.p.start_role("work");
  // And the manager once more, while paused.
  t.p.processes[4]->kill_now();
  t.p.start_role("project");
  ASSERT_EQ(t.p.post("/v1/optimizations/" + id + "/resume", "").status, 200);

  auto run = wait_for_end(t.p, id);
  expect_known_optimum(run);
  EXPECT_EQ(leaderboard_text(run), leaderboard_text(baseline));
  EXPECT_EQ(jobs_per_round(t.p, id), jobs_per_round(t.p, baseline_id));
  EXPECT_EQ(count_run_events(t.p, id, "OptimizationRoundScored"),
            count_run_events(t.p, baseline_id, "OptimizationRoundScored"));
}

TEST(Optimization, AnotherTenantsRunsAndPromptsAreNotFound) {
  TaskPipeline t;
  ASSERT_TRUE(t.ready());
  const std::string id = create_run(t.p, one_round(run_body(7)));
  auto prompt = t.p.post("/v1/prompts", R"({"name": "p", "content": "Say {input}"})");
  ASSERT_EQ(prompt.status, 201) << prompt.body;
  const std::string pid(json_string(parse_or_die(prompt.body), "id").value_or(""));
  for (const std::string& path : {"/v1/optimizations/" + id, "/v1/prompts/" + pid}) {
    EXPECT_EQ(t.p.get_as_other(path).status, 404) << path;
  }
  for (const std::string& path :
       {"/v1/optimizations/" + id + "/pause", "/v1/optimizations/" + id + "/cancel",
        "/v1/optimizations/" + id + "/publish", "/v1/prompts/" + pid + "/versions/1/publish"}) {
    EXPECT_EQ(t.p.post_as_other(path, "").status, 404) << path;
  }
  EXPECT_EQ(t.p.post_as_other("/v1/prompts/" + pid + "/versions", R"({"content": "x"})").status,
            404);
  EXPECT_EQ(parse_or_die(t.p.get_as_other("/v1/optimizations").body)["data"].Size(), 0u);
  EXPECT_EQ(parse_or_die(t.p.get_as_other("/v1/prompts").body)["data"].Size(), 0u);
  // The owner still sees both.
  EXPECT_EQ(t.p.get("/v1/optimizations/" + id).status, 200);
  EXPECT_EQ(t.p.get("/v1/prompts/" + pid).status, 200);
}

TEST(Prompts, VersionsMoveBetweenDraftPublishedAndArchivedAndRunsUseThem) {
  TaskPipeline t;
  ASSERT_TRUE(t.ready());
  auto made = t.p.post("/v1/prompts", R"({"name": "solver", "content": "Solve: {input}"})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto prompt = parse_or_die(made.body);
  const std::string id(json_string(prompt, "id").value_or(""));
  EXPECT_EQ(json_string(prompt["versions"][0], "state"), "draft");
  auto v2 = t.p.post("/v1/prompts/" + id + "/versions",
                     R"({"content": "Add the numbers. Solve: {input}"})");
  ASSERT_EQ(v2.status, 201) << v2.body;
  EXPECT_EQ(json_int(parse_or_die(v2.body), "version"), 2);
  auto pub = t.p.post("/v1/prompts/" + id + "/versions/2/publish", "");
  ASSERT_EQ(pub.status, 200) << pub.body;
  EXPECT_EQ(json_string(parse_or_die(pub.body), "state"), "published");
  EXPECT_EQ(
      json_string(parse_or_die(t.p.post("/v1/prompts/" + id + "/versions/1/archive", "").body),
                  "state"),
      "archived");
  EXPECT_EQ(t.p.post("/v1/prompts/" + id + "/versions/9/publish", "").status, 404);
  auto got = parse_or_die(t.p.get("/v1/prompts/" + id).body);
  EXPECT_EQ(json_int(got, "latest_version"), 2);
  EXPECT_EQ(json_string(got["versions"][0], "state"), "archived");
  auto list = parse_or_die(t.p.get("/v1/prompts").body);
  ASSERT_EQ(list["data"].Size(), 1u);
  EXPECT_EQ(t.p.post("/v1/prompts", R"({"name": "x"})").status, 400);
  EXPECT_EQ(
      t.p.post("/v1/prompts/" + id + "/versions", R"({"content": "x", "state": "odd"})").status,
      400);

  // A run names its task prompt by id and version.
  std::string body = one_round(run_body(7));
  const std::string seed = R"("task_prompt": "Solve: {input}")";
  body.replace(body.find(seed), seed.size(),
               R"("task_prompt": {"prompt_id": ")" + id + R"(", "version": 2})");
  auto run = wait_for_end(t.p, create_run(t.p, body));
  ASSERT_EQ(run["leaderboard"].Size(), 1u);
  EXPECT_EQ(json_string(run["leaderboard"][0], "prompt"), "Add the numbers. Solve: {input}");
  EXPECT_NEAR(json_number(run["leaderboard"][0], "train_score").value_or(0), 1.0 / 3, 1e-9);
  body.replace(body.find("\"version\": 2"), 12, "\"version\": 7");
  EXPECT_EQ(t.p.post("/v1/optimizations", body).status, 404);
}

TEST(Optimization, AnLlmJudgeScoresEachOutputWithAJobOfItsOwn) {
  TaskPipeline t;
  ASSERT_TRUE(t.ready());
  std::string body = one_round(run_body(7));
  const std::string exact = R"("scorer": {"type": "exact"})";
  body.replace(body.find(exact), exact.size(),
               R"("scorer": {"type": "llm_judge", "model": "mock-judge",)"
               R"( "prompt": "input: {input}\nexpected: {expected}\noutput: {output}\n"})");
  const std::string seed = "Solve: {input}";
  body.replace(body.find(seed), seed.size(), "Add the numbers. Solve: {input}");
  const std::string id = create_run(t.p, body);
  auto run = wait_for_end(t.p, id);
  EXPECT_EQ(json_string(run, "stop_reason"), "rounds_done");
  ASSERT_EQ(run["leaderboard"].Size(), 1u);
  EXPECT_NEAR(json_number(run["best"], "train_score").value_or(0), 1.0 / 3, 1e-9);
  EXPECT_NEAR(json_number(run["best"], "validation_score").value_or(0), 1.0 / 3, 1e-9);
  // One judge phase for the round and one for the validation, a judge job per output (3
  // examples x 2 models each).
  auto c = t.p.db.connect();
  pqxx::work tx(*c);
  auto judges = tx.exec_params(
      "SELECT jsonb_array_length(data->'jobs') FROM events WHERE stream_id = $1::uuid "
      "AND event_type = 'OptimizationJudgesRequested'",
      uuid_of(id));
  ASSERT_EQ(judges.size(), 2u);
  for (const auto& r : judges)
    EXPECT_EQ(r[0].as<int>(), 6);
}

JsonDocument wait_for_chain(test::Pipeline& p, const std::string& id) {
  std::string body;
  EXPECT_TRUE(test::wait_until(
      [&] {
        auto r = p.get("/v1/chains/" + id);
        body = r.body;
        return r.status == 200 && json_string(parse_or_die(r.body), "status") != "running";
      },
      std::chrono::seconds(60), std::chrono::milliseconds(100)))
      << body;
  return parse_or_die(body);
}

std::string chain_body(const std::string& model, const std::string& extra = "") {
  return R"J({"job": {"model": ")J" + model +
         R"J(", "messages": [{"role": "user", "content": "Solve: sum(2,3)"}]},
    "eval": {"model": "mock-judge", "prompt": "Judge the output."},
    "meta": {"model": "mock-optimizer", "prompt": "Improve the prompt."})J" +
         extra + "}";
}

// Every job of a chain is an ordinary job with usage of its own.
void expect_metered(test::Pipeline& p, const JsonValue& chain,
                    std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto id = json_string(chain, key);
    ASSERT_TRUE(id) << key;
    auto job = parse_or_die(p.get("/v1/jobs/" + std::string(*id)).body);
    EXPECT_EQ(json_string(job, "status"), "succeeded") << key;
    EXPECT_GT(json_int(job["result"]["usage"], "input_tokens").value_or(0), 0) << key;
  }
}

TEST(JobChain, EvaluatesTheOutputAndStoresTheProposedPromptAsADraftVersion) {
  TaskPipeline t;
  ASSERT_TRUE(t.ready());
  auto prompt = t.p.post("/v1/prompts", R"J({"name": "solver", "content": "Solve: sum(2,3)"})J");
  ASSERT_EQ(prompt.status, 201) << prompt.body;
  const std::string pid(json_string(parse_or_die(prompt.body), "id").value_or(""));
  auto made = t.p.post("/v1/chains", chain_body("mock-task", R"(, "prompt_id": ")" + pid + "\""));
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id(json_string(parse_or_die(made.body), "id").value_or(""));
  auto chain = wait_for_chain(t.p, id);
  EXPECT_EQ(json_string(chain, "status"), "completed") << to_json(chain);
  EXPECT_TRUE(chain["repair_job_id"].IsNull());
  EXPECT_EQ(json_string(chain["evaluation"], "text"), "score: 0");
  EXPECT_EQ(json_number(chain["evaluation"], "score"), 0.0);
  EXPECT_EQ(json_string(chain["proposed_prompt"], "prompt_id"), pid);
  EXPECT_EQ(json_int(chain["proposed_prompt"], "version"), 2);
  expect_metered(t.p, chain, {"job_id", "eval_job_id", "meta_job_id"});
  auto library = parse_or_die(t.p.get("/v1/prompts/" + pid).body);
  ASSERT_EQ(library["versions"].Size(), 2u);
  const JsonValue& draft = library["versions"][1];
  EXPECT_EQ(json_string(draft, "state"), "draft");
  EXPECT_EQ(json_string(draft, "content"), "Add the numbers. Solve: sum(2,3)");
  EXPECT_EQ(json_string(draft["source"], "id"), json_string(chain, "job_id"));
  EXPECT_EQ(t.p.get_as_other("/v1/chains/" + id).status, 404);
}

TEST(JobChain, JsonModeRepairsOnceThenFailsWithJsonParseError) {
  TaskPipeline t;
  ASSERT_TRUE(t.ready());
  // mock-json answers broken JSON, and the whole object when asked to repair it.
  auto repaired = t.p.post("/v1/chains", chain_body("mock-json", R"(, "json_output": true)"));
  ASSERT_EQ(repaired.status, 201) << repaired.body;
  auto chain = wait_for_chain(t.p, std::string(*json_string(parse_or_die(repaired.body), "id")));
  EXPECT_EQ(json_string(chain, "status"), "completed") << to_json(chain);
  expect_metered(t.p, chain, {"job_id", "repair_job_id", "eval_job_id", "meta_job_id"});
  // Without a chain's prompt the draft goes into a new prompt.
  auto pid = json_string(chain["proposed_prompt"], "prompt_id");
  ASSERT_TRUE(pid);
  EXPECT_EQ(json_int(chain["proposed_prompt"], "version"), 1);
  EXPECT_EQ(t.p.get("/v1/prompts/" + std::string(*pid)).status, 200);

  // The echo model never answers JSON: one repair, then json_parse_error, no eval or meta.
  auto broken = t.p.post("/v1/chains", chain_body("test-model", R"(, "json_output": true)"));
  ASSERT_EQ(broken.status, 201) << broken.body;
  auto failed = wait_for_chain(t.p, std::string(*json_string(parse_or_die(broken.body), "id")));
  EXPECT_EQ(json_string(failed, "status"), "failed");
  EXPECT_EQ(json_string(failed["error"], "code"), "json_parse_error");
  EXPECT_FALSE(failed["repair_job_id"].IsNull());
  EXPECT_TRUE(failed["eval_job_id"].IsNull());
  EXPECT_TRUE(failed["proposed_prompt"].IsNull());

  EXPECT_EQ(t.p.post("/v1/chains", R"({"job": {"model": "mock-task"}})").status, 400);
  EXPECT_EQ(t.p.post("/v1/chains", R"({"job": {"model": "mock-task", "messages": [{"role": "user",
      "content": "hi"}]}, "eval": {"model": "no-such-model", "prompt": "x"}})")
                .status,
            400);
}

}  // namespace
}  // namespace bl
