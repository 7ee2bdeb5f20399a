// Every provider format against the mock, whole and streamed, through the whole pipeline:
// success with usage and cost, time to first token and inter-token latency when streamed, each
// error class (retried or final), and the providers' retry hints honoured.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/json.hpp"
#include "tests/support/pipeline.hpp"

namespace bl {
namespace {

// provider, model id, streamed
struct ModelCase {
  const char* provider;
  const char* id;
  bool stream;
};

const ModelCase kModels[] = {
    {"openai", "test-model", false},         {"openai", "openai-stream", true},
    {"azure", "azure-model", false},         {"azure", "azure-stream", true},
    {"anthropic", "anthropic-model", false}, {"anthropic", "anthropic-stream", true},
    {"gemini", "gemini-model", false},       {"gemini", "gemini-stream", true},
};

const char* kRetryModels[][2] = {{"openai", "ra-openai"},
                                 {"azure", "ra-azure"},
                                 {"anthropic", "ra-anthropic"},
                                 {"gemini", "ra-gemini"}};

constexpr int kRetryAfterMs = 1500;

std::string model_entry(const std::string& provider, const std::string& id, bool stream) {
  // Each model has an upstream name of its own, so the mock counts its requests apart.
  return R"({"id":")" + id + R"(","provider":")" + provider +
         R"(","base_url":"http://127.0.0.1:{MOCK_PORT}","upstream_model":"up-)" + id +
         R"(","input_usd_per_mtok":1,"output_usd_per_mtok":2,"stream":)" +
         (stream ? "true" : "false") + "}";
}

std::string key_env(std::string id) {
  for (char& c : id)
    c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  return id + "_KEY";
}

struct ProvidersPipeline {
  std::unique_ptr<test::Pipeline> p;

  ProvidersPipeline() {
    test::PipelineOptions o;
    std::string models;
    for (const auto& m : kModels) {
      if (std::string(m.id) == "test-model") continue;
      models += (models.empty() ? "" : ",") + model_entry(m.provider, m.id, m.stream);
    }
    for (const auto& m : kRetryModels)
      models += "," + model_entry(m[0], m[1], false);
    o.extra_models_json = models;
    o.mock_args = {"--token-delay-ms",           "5", "--require-key", "sekret", "--retry-after-ms",
                   std::to_string(kRetryAfterMs)};
    o.start_roles = false;
    p = std::make_unique<test::Pipeline>(o);
    for (const auto& m : kModels)
      p->env.set(key_env(m.id), "sekret");
    for (const auto& m : kRetryModels)
      p->env.set(key_env(m[1]), "sekret");
    p->env.set("BL_WORKER_REQUEST_TIMEOUT_MS", "1500");
    p->env.set("BL_WORKER_MAX_ATTEMPTS", "3");
    for (const char* role : {"ingest", "relay", "work", "project"})
      p->start_role(role);
  }
};

std::string job(const std::string& model, const std::string& custom_id, const std::string& text) {
  JsonWriter w;
  w.begin_object().field("model", model).field("custom_id", custom_id);
  w.key("messages").begin_array();
  w.begin_object().field("role", "system").field("content", "be brief").end_object();
  w.begin_object().field("role", "user").field("content", text).end_object();
  w.end_array().field("max_tokens", 50).end_object();
  return w.str();
}

void submit(test::Pipeline& p, const std::vector<std::string>& jobs) {
  std::string body = R"({"jobs":[)";
  for (std::size_t i = 0; i < jobs.size(); ++i)
    body += (i ? "," : "") + jobs[i];
  body += "]}";
  auto r = p.post("/v1/jobs", body);
  ASSERT_EQ(r.status, 202) << r.body;
}

struct JobOutcome {
  std::string status;
  int attempts = 0;
  std::string error_code;
};

// Waits until `count` jobs are terminal in the read model; returns them by custom id.
std::map<std::string, JobOutcome> wait_terminal(test::Pipeline& p, std::size_t count) {
  std::map<std::string, JobOutcome> out;
  auto c = p.db.connect();
  EXPECT_TRUE(test::wait_until(
      [&] {
        pqxx::work tx(*c);
        auto rows = tx.exec(
            "SELECT custom_id, status, attempts, coalesce(error->>'code', '') FROM jobs"
            " WHERE status IN ('succeeded', 'failed', 'cancelled')");
        out.clear();
        for (const auto& row : rows) {
          out[row[0].as<std::string>()] =
              JobOutcome{row[1].as<std::string>(), row[2].as<int>(), row[3].as<std::string>()};
        }
        return out.size() >= count;
      },
      std::chrono::seconds(120), std::chrono::milliseconds(200)))
      << out.size() << " of " << count << " jobs finished";
  return out;
}

TEST(Providers, EveryFormatSucceedsWholeAndStreamedWithUsageAndCost) {
  ProvidersPipeline pp;
  test::Pipeline& p = *pp.p;
  ASSERT_TRUE(p.ready());
  std::vector<std::string> jobs;
  for (const auto& m : kModels) {
    for (int i = 0; i < 3; ++i)
      jobs.push_back(job(m.id, std::string(m.id) + "-" + std::to_string(i),
                         "tell me about item number " + std::to_string(i)));
  }
  submit(p, jobs);
  auto done = wait_terminal(p, jobs.size());
  auto c = p.db.connect();
  pqxx::work tx(*c);
  for (const auto& m : kModels) {
    for (int i = 0; i < 3; ++i) {
      const std::string cid = std::string(m.id) + "-" + std::to_string(i);
      EXPECT_EQ(done[cid].status, "succeeded") << cid << " " << done[cid].error_code;
      auto row = tx.exec_params1(
          "SELECT e.data::text FROM events e JOIN jobs j ON j.job_id = e.stream_id"
          " WHERE j.custom_id = $1 AND e.event_type = 'JobSucceeded'",
          cid);
      auto data = parse_json(row[0].as<std::string>());
      ASSERT_TRUE(data.ok());
      const JsonValue& usage = (*data)["usage"];
      EXPECT_GT(json_int(usage, "input_tokens").value_or(0), 0) << cid;
      EXPECT_EQ(json_int(usage, "output_tokens").value_or(0), 7) << cid;  // "Echo: tell me ..."
      EXPECT_GT(json_int(usage, "cached_tokens").value_or(0), 0) << cid;  // the system prompt
      EXPECT_EQ(json_int(usage, "cost_nano_usd").value_or(0),
                json_int(usage, "input_tokens").value_or(0) * 1000 + 7 * 2000)
          << cid;
      EXPECT_EQ(json_string(*data, "finish_reason"), "stop") << cid;
      if (m.stream) {
        // Seven pieces, 5 ms apart at the mock.
        EXPECT_GE(json_int(*data, "ttft_ms").value_or(-1), 0) << cid;
        EXPECT_GE(json_number(*data, "mean_itl_ms").value_or(-1), 0) << cid;
      } else {
        EXPECT_FALSE(json_int(*data, "ttft_ms").has_value()) << cid;
      }
    }
  }
  // The result the client reads is the echo, in every format.
  auto r = p.get("/v1/jobs?limit=100");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Echo: tell me about item number 2"), std::string::npos);
}

TEST(Providers, ErrorClassesAreRetriedOrFinal) {
  ProvidersPipeline pp;
  test::Pipeline& p = *pp.p;
  ASSERT_TRUE(p.ready());
  const std::map<std::string, std::set<std::string>> retryable = {
      {"429", {"rate_limited"}},
      {"500", {"server_error"}},
      {"529", {"overloaded", "server_error"}},  // Gemini says 503
      {"timeout", {"timeout"}},
      {"drop", {"connection_error"}},
      {"malformed", {"malformed_response"}},
      {"truncate", {"connection_error", "stream_truncated"}},
  };
  const std::map<std::string, std::string> final_codes = {
      {"400", "invalid_request"}, {"401", "authentication_error"}, {"quota", "insufficient_quota"}};
  std::vector<std::string> jobs;
  for (const auto& m : kModels) {
    for (const auto& [kind, codes] : retryable) {
      jobs.push_back(job(m.id, std::string(m.id) + "/" + kind,
                         std::string(m.id) + " [mock:fault=" + kind + "x1]"));
    }
    for (const auto& [kind, code] : final_codes) {
      if (kind == "quota" && std::string(m.provider) == "gemini") continue;  // no such answer
      jobs.push_back(job(m.id, std::string(m.id) + "/" + kind,
                         std::string(m.id) + " [mock:fault=" + kind + "]"));
    }
  }
  submit(p, jobs);
  auto done = wait_terminal(p, jobs.size());
  auto c = p.db.connect();
  pqxx::work tx(*c);
  for (const auto& m : kModels) {
    for (const auto& [kind, codes] : retryable) {
      const std::string cid = std::string(m.id) + "/" + kind;
      EXPECT_EQ(done[cid].status, "succeeded") << cid;
      EXPECT_EQ(done[cid].attempts, 2) << cid;
      auto failed = tx.exec_params(
          "SELECT e.data->'error'->>'code' FROM events e JOIN jobs j ON j.job_id = e.stream_id"
          " WHERE j.custom_id = $1 AND e.event_type = 'JobAttemptFailed'",
          cid);
      ASSERT_EQ(failed.size(), 1u) << cid;
      EXPECT_EQ(codes.count(failed[0][0].as<std::string>()), 1u)
          << cid << ": " << failed[0][0].as<std::string>();
    }
    for (const auto& [kind, code] : final_codes) {
      if (kind == "quota" && std::string(m.provider) == "gemini") continue;
      const std::string cid = std::string(m.id) + "/" + kind;
      EXPECT_EQ(done[cid].status, "failed") << cid;
      EXPECT_EQ(done[cid].attempts, 1) << cid;
      EXPECT_EQ(done[cid].error_code, code) << cid;
    }
  }
}

TEST(Providers, RetryAfterHintsAreHonoured) {
  ProvidersPipeline pp;
  test::Pipeline& p = *pp.p;
  ASSERT_TRUE(p.ready());
  std::vector<std::string> jobs;
  for (const auto& m : kRetryModels)
    jobs.push_back(job(m[1], m[1], "slow down [mock:fault=429x1]"));
  submit(p, jobs);
  auto done = wait_terminal(p, jobs.size());
  auto stats = test::http("GET", "http://127.0.0.1:" + std::to_string(p.mock_port) + "/mock/stats");
  auto doc = parse_json(stats.body);
  ASSERT_TRUE(doc.ok()) << stats.body;
  for (const auto& m : kRetryModels) {
    EXPECT_EQ(done[m[1]].status, "succeeded") << m[1];
    const JsonValue* models = json_member(*doc, "models");
    const JsonValue* model = models ? json_member(*models, "up-" + std::string(m[1])) : nullptr;
    const JsonValue* times = model ? json_member(*model, "arrivals_ms") : nullptr;
    ASSERT_TRUE(times != nullptr && times->IsArray()) << m[1];
    const JsonValue& arrivals = *times;
    ASSERT_EQ(arrivals.Size(), 2u) << m[1];
    // The worker's own backoff here is at most 500 ms: a later retry is the provider's hint.
    EXPECT_GE(arrivals[1].GetInt64() - arrivals[0].GetInt64(), kRetryAfterMs) << m[1];
  }
}

}  // namespace
}  // namespace bl
