// Privacy: canary strings planted in everything a client can send (prompts, and so the mock's
// completions, client_reference, request metadata, batch metadata, file content, webhook URLs,
// tenant names) and the secrets the API hands out (API keys, webhook secrets) never appear in
// any log file, in a pg_dump of the database, in Redis, or in /metrics of any role, with logs
// at debug and at the production level. Secrets are not shown again after their creation.
//
// A new place for content is one line in plant_all().

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "tests/support/batch_client.hpp"
#include "tests/support/job_requests.hpp"
#include "tests/support/leak_scan.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

struct Planting {
  test::Pipeline& p;
  std::vector<test::Canary> canaries;
  std::vector<std::string> job_ids;
  std::vector<std::string> expected_echoes;  // proof that content went through the pipeline
  std::string batch_id;
  std::string message_batch_id;
  std::vector<std::string> readable_after_creation;  // GET paths that must show no secret

  std::string plant(const std::string& where) {
    canaries.push_back(test::make_canary(where));
    return canaries.back().value;
  }
};

void submit_job(Planting& run) {
  const std::string prompt = run.plant("prompt and completion");
  JsonWriter w;
  w.begin_object().field("model", "test-model").key("messages").begin_array();
  w.begin_object().field("role", "system").field("content", run.plant("system message"));
  w.end_object();
  w.begin_object().field("role", "user").field("content", prompt).end_object();
  w.end_array();
  w.key("client_reference").begin_object().field("ref", run.plant("client_reference")).end_object();
  w.key("metadata").begin_object().field("note", run.plant("request metadata")).end_object();
  w.end_object();
  auto r = run.p.post("/v1/jobs", w.str());
  ASSERT_EQ(r.status, 202) << r.body;
  auto ids = test::job_ids(r.body);
  ASSERT_EQ(ids.size(), 1u);
  run.job_ids.push_back(ids[0]);
  run.expected_echoes.push_back("Echo: " + prompt);
}

void submit_openai_batch(Planting& run) {
  const std::string content = test::batch_line("line-1", run.plant("batch file line")) + "\n" +
                              test::batch_line("line-2", run.plant("batch file line 2")) + "\n";
  const std::string file_id = test::upload_batch_file(run.p, content);
  ASSERT_FALSE(file_id.empty());
  auto r = test::create_batch(run.p, file_id,
                              R"(,"metadata":{"label":")" + run.plant("batch metadata") + "\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  run.batch_id = std::string(*json_string(test::parse_or_die(r.body), "id"));
}

void submit_message_batch(Planting& run) {
  const std::string body =
      R"({"requests":[{"custom_id":"m-1","params":{"model":"test-model","max_tokens":16,)"
      R"("system":")" +
      run.plant("anthropic system") + R"(","messages":[{"role":"user","content":")" +
      run.plant("anthropic prompt") + R"("}]}}]})";
  auto r = test::http("POST", run.p.url("/v1/messages/batches"), body,
                      {"x-api-key: " + run.p.api_key, "Content-Type: application/json"});
  ASSERT_EQ(r.status, 200) << r.body;
  run.message_batch_id = std::string(*json_string(test::parse_or_die(r.body), "id"));
}

void create_and_delete_webhook(Planting& run) {
  auto r = run.p.post("/v1/webhooks", R"({"url": "https://hooks.example.com/)" +
                                          run.plant("webhook url") +
                                          R"(", "event_types": ["job.succeeded"]})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto doc = test::parse_or_die(r.body);
  const std::string id(*json_string(doc, "id"));
  run.canaries.push_back({"webhook secret", std::string(*json_string(doc, "secret"))});
  run.readable_after_creation.push_back("/v1/webhooks/" + id);
  run.readable_after_creation.push_back("/v1/webhooks");
  // Deleted before any job finishes, so the sender never calls the made-up host.
  ASSERT_EQ(test::http("DELETE", run.p.url("/v1/webhooks/" + id), "", {run.p.auth_header()}).status,
            200);
}

// A conversation made by a job, then titled and described: the title and metadata are content.
void title_conversation(Planting& run) {
  const std::string conversation = "conv_0190aaaabbbbccccdddd0000000000c1";
  const std::string prompt = run.plant("conversation prompt");
  auto r = run.p.post("/v1/jobs", R"({"model":"test-model","conversation_id":")" + conversation +
                                      R"(","messages":[{"role":"user","content":")" + prompt +
                                      R"("}]})");
  ASSERT_EQ(r.status, 202) << r.body;
  run.job_ids.push_back(test::job_ids(r.body).at(0));
  run.expected_echoes.push_back("Echo: " + prompt);
  ASSERT_TRUE(test::wait_until(
      [&] { return run.p.get("/v1/conversations/" + conversation).status == 200; }));
  auto patched =
      test::http("PATCH", run.p.url("/v1/conversations/" + conversation),
                 R"({"title":")" + run.plant("conversation title") + R"(","metadata":{"topic":")" +
                     run.plant("conversation metadata") + R"("}})",
                 {run.p.auth_header(), "Content-Type: application/json"});
  ASSERT_EQ(patched.status, 200) << patched.body;
}

// Every way content or a secret enters the system. Add a line for each new one.
void plant_all(Planting& run) {
  submit_job(run);
  submit_openai_batch(run);
  submit_message_batch(run);
  create_and_delete_webhook(run);
  title_conversation(run);
}

class PrivacyCanaries : public ::testing::TestWithParam<std::string> {};

TEST_P(PrivacyCanaries, NoCanaryOrSecretReachesLogsDatabaseRedisOrMetrics) {
  test::PipelineOptions options;
  options.start_roles = false;
  test::Pipeline p(options);
  p.env.set("BL_LOG_LEVEL", GetParam());
  std::vector<std::string> metrics_urls = {p.url("/metrics")};
  p.start_role("ingest");
  for (const std::string role : {"relay", "work", "project"}) {
    const int port = test::free_port();
    test::RoleEnv admin;
    admin.set("BL_ADMIN_LISTEN", "127.0.0.1:" + std::to_string(port));
    p.start_role(role, admin);
    metrics_urls.push_back("http://127.0.0.1:" + std::to_string(port) + "/metrics");
  }
  Planting run{p, {}, {}, {}, "", "", {}};
  const std::string org_name = run.plant("tenant name");
  const auto tenant = test::make_tenant(p.env, org_name);
  run.canaries.push_back({"client API key", tenant.client_key});
  run.canaries.push_back({"admin API key", tenant.admin_key});
  p.api_key = tenant.client_key;
  ASSERT_TRUE(p.ready());
  ASSERT_TRUE(test::wait_until([&] { return p.get("/v1/jobs").status == 200; }));

  plant_all(run);
  ASSERT_FALSE(HasFailure());

  // The whole pipeline ran: jobs answered (the mock echoed the canary), batches ended.
  for (std::size_t i = 0; i < run.job_ids.size(); ++i) {
    auto done = p.get("/v1/jobs/" + run.job_ids[i] + "?wait=30");
    ASSERT_NE(done.body.find("succeeded"), std::string::npos) << done.body;
    EXPECT_NE(done.body.find(run.expected_echoes[i]), std::string::npos);
  }
  test::wait_for_batch_status(p, run.batch_id, "completed");
  ASSERT_TRUE(test::wait_until([&] {
    auto r = test::http("GET", p.url("/v1/messages/batches/" + run.message_batch_id), "",
                        {"x-api-key: " + p.api_key});
    return r.body.find("\"ended\"") != std::string::npos;
  }));
  auto output = p.get("/v1/batches/" + run.batch_id + "/output");
  ASSERT_NE(output.body.find("Echo: CANARY"), std::string::npos) << "completions were echoed";

  // Secrets are never answered again after their creation.
  test::ApiClient admin{p.ingest_port, tenant.admin_key};
  std::vector<test::LeakSource> answers;
  for (const auto& path : run.readable_after_creation)
    answers.push_back({"GET " + path, p.get(path).body});
  answers.push_back({"GET keys", admin.get("/v1/organization/keys?include_revoked=true").body});
  answers.push_back({"GET key", admin.get("/v1/organization/keys/" + tenant.client_key_id).body});
  answers.push_back({"GET workspaces", admin.get("/v1/organization/workspaces").body});
  std::vector<test::Canary> secrets;
  for (const auto& c : run.canaries) {
    if (c.where.find("key") != std::string::npos || c.where.find("secret") != std::string::npos)
      secrets.push_back(c);
  }
  ASSERT_EQ(secrets.size(), 3u);
  EXPECT_EQ(test::find_leaks(secrets, answers), std::vector<std::string>{});

  // Every place that could hold a copy.
  std::vector<test::LeakSource> sources;
  for (const auto& url : metrics_urls) {
    sources.push_back(test::metrics_page(url));
    EXPECT_NE(sources.back().text.find("# TYPE"), std::string::npos) << url;
  }
  sources.push_back(test::pg_dump_of(p.db));
  EXPECT_NE(sources.back().text.find("JobSucceeded"), std::string::npos) << "pg_dump worked";
  sources.push_back(test::redis_contents(p.redis));
  EXPECT_NE(sources.back().text.find(p.redis.prefix()), std::string::npos) << "keys were read";
  for (auto& proc : p.processes)
    proc->stop();
  p.mock->stop();
  for (auto& proc : p.processes)
    sources.push_back(test::file_contents(proc->log_path()));
  sources.push_back(test::file_contents(p.mock->log_path()));
  const std::size_t log_bytes = [&] {
    std::size_t n = 0;
    for (const auto& s : sources)
      n += s.name.rfind("file ", 0) == 0 ? s.text.size() : 0;
    return n;
  }();
  EXPECT_GT(log_bytes, 0u) << "the roles wrote logs";
  EXPECT_EQ(test::find_leaks(run.canaries, sources), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(LogLevels, PrivacyCanaries, ::testing::Values("debug", "info"));

}  // namespace
}  // namespace bl
