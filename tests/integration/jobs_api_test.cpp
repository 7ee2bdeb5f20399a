// The native jobs API over HTTP, each role a real process: submission with every field and
// every validation error, long polls, paging and filters, read-your-writes, and the client's
// commands (cancel, consume, consume-failed) against the job state table.

#include <gtest/gtest.h>

#include <future>
#include <set>

#include "core/json.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

const char* kConversation = "conv_0190aaaabbbbccccdddd111122223333";

std::string job_json(const std::string& custom_id, const std::string& prompt = "hello") {
  JsonWriter w;
  w.begin_object();
  w.field("model", "test-model");
  w.field("custom_id", custom_id);
  w.key("messages").begin_array();
  w.begin_object().field("role", "user").field("content", prompt).end_object();
  w.end_array();
  w.end_object();
  return w.str();
}

std::string jobs_body(int count, const std::string& prefix = "j") {
  std::string body = "{\"jobs\": [";
  for (int i = 0; i < count; ++i)
    body += (i ? "," : "") + job_json(prefix + std::to_string(i), "prompt " + std::to_string(i));
  return body + "]}";
}

// Always an object, so that a test indexing an unexpected answer fails instead of crashing
// (rapidjson does not check types in a release build).
JsonDocument parsed(const test::HttpResult& r) {
  auto doc = parse_json(r.body);
  EXPECT_TRUE(doc.ok() && doc->IsObject()) << r.status << " " << r.body;
  if (doc.ok() && doc->IsObject()) return std::move(*doc);
  JsonDocument empty;
  empty.SetObject();
  return empty;
}

// The length of doc's "data" array, or -1 when it has none.
int data_size(const JsonDocument& doc) {
  return doc.HasMember("data") && doc["data"].IsArray() ? static_cast<int>(doc["data"].Size()) : -1;
}

std::vector<std::string> submitted_ids(const test::HttpResult& r) {
  EXPECT_EQ(r.status, 202) << r.body;
  auto doc = parsed(r);
  std::vector<std::string> ids;
  if (!doc.IsObject() || !doc.HasMember("data")) return ids;
  for (const auto& j : doc["data"].GetArray())
    ids.emplace_back(*json_string(j, "id"));
  return ids;
}

// The value of an unlabelled metric in Prometheus text, or -1.
double metric_value(const std::string& text, const std::string& name) {
  const std::string line = "\n" + name + " ";
  const auto at = text.find(line);
  return at == std::string::npos ? -1 : std::atof(text.c_str() + at + line.size());
}

std::string status_of(const test::HttpResult& r) {
  auto doc = parsed(r);
  return std::string(json_string(doc, "status").value_or(""));
}

using Api = test::TenantPipeline;

test::PipelineOptions no_workers() {
  test::PipelineOptions o;
  o.relays = 0;
  o.workers = 0;
  return o;
}

TEST(JobsApi, SubmitsEveryFieldAndReadsItBack) {
  Api api(no_workers());
  ASSERT_TRUE(api.ready());
  const std::string body = std::string(R"({"model": "test-model", "custom_id": "row-7",)") +
                           R"("priority": 7, "conversation_id": ")" + kConversation + R"(",)" +
                           R"("client_reference": {"ticket": "canary-ref-5521", "n": [1, 2]},)" +
                           R"("parameters": {"temperature": 0.2, "max_tokens": 64},)" +
                           R"("messages": [{"role": "system", "content": "be brief"},)" +
                           R"({"role": "user", "content": "canary-prompt-8830"}]})";
  auto r = api.client.post("/v1/jobs", body);
  const auto ids = submitted_ids(r);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(r.headers["content-type"], "application/json");

  // Readable the moment its 202 was sent.
  auto got = api.client.get("/v1/jobs/" + ids[0]);
  ASSERT_EQ(got.status, 200) << got.body;
  auto job = parsed(got);
  EXPECT_EQ(json_string(job, "status"), "queued");
  EXPECT_EQ(json_string(job, "custom_id"), "row-7");
  EXPECT_EQ(json_int(job, "priority"), 7);
  EXPECT_EQ(json_string(job, "conversation_id"), kConversation);
  EXPECT_EQ(to_json(job["client_reference"]), R"({"ticket":"canary-ref-5521","n":[1,2]})");
  EXPECT_TRUE(job["result"].IsNull());
  EXPECT_TRUE(job["acknowledged_at"].IsNull());

  // The same from the read model once the projector got there.
  auto c = api.p.db.connect();
  ASSERT_TRUE(test::wait_until([&] {
    pqxx::work tx(*c);
    return tx.exec1("SELECT count(*) FROM jobs")[0].as<int>() == 1;
  }));
  auto projected = parsed(api.client.get("/v1/jobs/" + ids[0]));
  EXPECT_EQ(to_json(projected["client_reference"]), to_json(job["client_reference"]));
  EXPECT_EQ(json_string(projected, "conversation_id"), kConversation);

  // Content is sealed at rest.
  const std::string dump = test::run_command("pg_dump '" + api.p.db.url() + "'");
  ASSERT_NE(dump.find("JobSubmitted"), std::string::npos);
  EXPECT_EQ(dump.find("canary-ref-5521"), std::string::npos);
  EXPECT_EQ(dump.find("canary-prompt-8830"), std::string::npos);
  // And never logged (the roles log at debug level), nor is the key.
  for (const auto& proc : api.p.processes) {
    const std::string log = test::read_file(proc->log_path());
    EXPECT_EQ(log.find("canary"), std::string::npos) << proc->log_path();
    EXPECT_EQ(log.find(api.tenant.client_key), std::string::npos) << proc->log_path();
  }
}

TEST(JobsApi, ValidationNamesEveryBadItemAndWritesNothing) {
  test::PipelineOptions o = no_workers();
  o.start_roles = false;
  test::Pipeline p(o);
  p.env.set("BL_MAX_JOB_BYTES", "6000");
  p.start_role("ingest");
  p.start_role("project");
  const auto tenant = test::make_tenant(p.env, "acme");
  test::ApiClient client{p.ingest_port, tenant.client_key};
  ASSERT_TRUE(test::wait_until([&] { return client.get("/v1/jobs").status == 200; }));

  const std::string big_reference = "\"" + std::string(4100, 'x') + "\"";
  const std::string body =
      "{\"jobs\": [" +
      std::string(R"({"model": "nope", "messages": [{"role": "user", "content": "a"}]},)") +
      R"({"model": "test-model", "messages": [{"role": "wizard", "content": "a"}]},)" +
      R"({"model": "test-model", "messages": []},)" +
      R"({"model": "test-model", "custom_id": "same", "messages": [{"role": "user", "content": "a"}]},)" +
      R"({"model": "test-model", "custom_id": "same", "messages": [{"role": "user", "content": "a"}]},)" +
      R"({"model": "test-model", "client_reference": )" + big_reference +
      R"(, "messages": [{"role": "user", "content": "a"}]},)" +
      R"({"model": "test-model", "conversation_id": "conv_x", "messages": [{"role": "user", "content": "a"}]},)" +
      R"({"model": "test-model", "priority": 0, "messages": [{"role": "user", "content": "a"}]},)" +
      R"({"model": "test-model", "messages": [{"role": "user", "content": ")" +
      std::string(7000, 'y') + R"("}]},)" +
      R"({"model": "test-model", "colour": "red", "messages": [{"role": "user", "content": "a"}]},)" +
      R"({"model": "test-model", "messages": [{"role": "user", "content": "fine"}]}]})";
  auto r = client.post("/v1/jobs", body);
  ASSERT_EQ(r.status, 400) << r.body;
  auto doc = parsed(r);
  const JsonValue& err = doc["error"];
  EXPECT_EQ(json_string(err, "code"), "invalid_jobs");
  std::set<std::pair<int, std::string>> problems;
  for (const auto& d : err["details"].GetArray())
    problems.emplace(static_cast<int>(*json_int(d, "index")),
                     std::string(*json_string(d, "param")));
  const std::set<std::pair<int, std::string>> expected = {{0, "model"},
                                                          {1, "messages[0].role"},
                                                          {2, "messages"},
                                                          {4, "custom_id"},
                                                          {5, "client_reference"},
                                                          {6, "conversation_id"},
                                                          {7, "priority"},
                                                          {8, ""},
                                                          {9, "colour"}};
  EXPECT_EQ(problems, expected) << r.body;

  // Nothing was written but the audit record of the rejection.
  auto c = p.db.connect();
  EXPECT_TRUE(test::wait_until([&] {
    pqxx::work tx(*c);
    return tx.exec1(
                 "SELECT count(*) FROM events WHERE event_type = 'CommandAudited'"
                 " AND data->>'action' = 'jobs.create'")[0]
               .as<int>() == 1;
  }));
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM events WHERE stream_type = 'job'")[0].as<int>(), 0);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox")[0].as<int>(), 0);
  tx.commit();

  // Malformed and hostile bodies are clear 400s.
  EXPECT_EQ(client.post("/v1/jobs", "{\"jobs\": [").status, 400);
  EXPECT_EQ(client.post("/v1/jobs", "[1, 2]").status, 400);
  EXPECT_EQ(client.post("/v1/jobs", "{\"jobs\": []}").status, 400);
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  auto too_deep = client.post("/v1/jobs", "{\"jobs\": " + deep + "}");
  EXPECT_EQ(too_deep.status, 400);
  EXPECT_NE(too_deep.body.find("nesting"), std::string::npos);
  EXPECT_EQ(
      client.post("/v1/jobs", "{\"model\": \"test-model\", \"messages\": \"\xff\xfe\"}").status,
      400);
}

TEST(JobsApi, LongPollAnswersWhenTheJobReachesATerminalState) {
  Api api(no_workers());
  ASSERT_TRUE(api.ready());
  const auto ids = submitted_ids(api.client.post("/v1/jobs", jobs_body(1)));
  ASSERT_EQ(ids.size(), 1u);
  const std::string path = "/v1/jobs/" + ids[0];

  // A wait that runs out answers with the job as it is.
  auto timed_out = api.client.get(path + "?wait=1");
  EXPECT_EQ(timed_out.status, 200);
  EXPECT_EQ(status_of(timed_out), "queued");

  // A waiting request is answered once the job is cancelled, well before its 30 s.
  auto waiting = std::async(std::launch::async, [&] { return api.client.get(path + "?wait=30"); });
  ASSERT_TRUE(test::wait_until([&] {
    return metric_value(test::http("GET", api.p.url("/metrics")).body,
                        "bl_ingest_long_poll_waiters") >= 1;
  }));
  ASSERT_EQ(api.client.post(path + "/cancel", "").status, 200);
  auto answered = waiting.get();
  EXPECT_EQ(answered.status, 200);
  EXPECT_EQ(status_of(answered), "cancelled");
  // A terminal job answers at once.
  EXPECT_EQ(status_of(api.client.get(path + "?wait=30")), "cancelled");

  for (const char* bad : {"?wait=31", "?wait=-1", "?wait=abc", "?wait=1.5"}) {
    auto r = api.client.get(path + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(json_string(parsed(r)["error"], "code"), "invalid_wait");
  }
}

TEST(JobsApi, LongPollSeesAJobSucceed) {
  test::PipelineOptions o;
  o.mock_latency_ms = 500;
  Api api(o);
  ASSERT_TRUE(api.ready());
  const auto ids = submitted_ids(api.client.post("/v1/jobs", jobs_body(1)));
  ASSERT_EQ(ids.size(), 1u);
  auto r = api.client.get("/v1/jobs/" + ids[0] + "?wait=30");
  ASSERT_EQ(r.status, 200);
  auto job = parsed(r);
  EXPECT_EQ(json_string(job, "status"), "succeeded");
  EXPECT_EQ(json_string(job["result"]["message"], "content"), "Echo: prompt 0");
}

TEST(JobsApi, ListsNewestFirstInPages) {
  Api api(no_workers());
  ASSERT_TRUE(api.ready());
  std::vector<std::string> all;
  for (int batch = 0; batch < 5; ++batch) {
    for (const auto& id :
         submitted_ids(api.client.post("/v1/jobs", jobs_body(5, "b" + std::to_string(batch)))))
      all.push_back(id);
  }
  ASSERT_EQ(all.size(), 25u);
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    auto r = api.client.get("/v1/jobs?limit=10" + (after.empty() ? "" : "&after=" + after));
    ASSERT_EQ(r.status, 200) << r.body;
    auto doc = parsed(r);
    EXPECT_EQ(json_string(doc, "object"), "list");
    ASSERT_GE(data_size(doc), 0) << r.body;
    const auto& data = doc["data"];
    for (const auto& j : data.GetArray())
      seen.emplace_back(*json_string(j, "id"));
    if (data.Size() > 0) {
      EXPECT_EQ(json_string(doc, "first_id"), json_string(data[0], "id"));
      EXPECT_EQ(json_string(doc, "last_id"), json_string(data[data.Size() - 1], "id"));
    }
    if (!*json_bool(doc, "has_more")) break;
    after = std::string(*json_string(doc, "last_id"));
  }
  // Every job once, newest first (ids are time-ordered).
  std::vector<std::string> expected(all.rbegin(), all.rend());
  EXPECT_EQ(seen, expected);

  EXPECT_EQ(data_size(parsed(api.client.get("/v1/jobs?status=queued&limit=100"))), 25);
  EXPECT_EQ(data_size(parsed(api.client.get("/v1/jobs?status=succeeded"))), 0);
  EXPECT_EQ(
      data_size(parsed(api.client.get("/v1/jobs?batch_id=batch_0190aaaabbbbccccdddd111122223333"))),
      0);
  for (const char* bad :
       {"?status=done", "?limit=0", "?limit=101", "?limit=x", "?after=nope", "?batch_id=123"}) {
    auto r = api.client.get(std::string("/v1/jobs") + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.headers["content-type"], "application/json");
  }
}

TEST(JobsApi, ListsReadTheirWritesWithoutTheProjector) {
  test::PipelineOptions o = no_workers();
  o.projectors = 0;
  Api api(o);
  ASSERT_TRUE(api.ready());
  const auto ids = submitted_ids(api.client.post("/v1/jobs", jobs_body(3)));
  ASSERT_EQ(ids.size(), 3u);
  auto listed = parsed(api.client.get("/v1/jobs"));
  ASSERT_EQ(data_size(listed), 3);
  EXPECT_EQ(json_string(listed, "first_id"), ids[2]);
  ASSERT_EQ(api.client.post("/v1/jobs/" + ids[1] + "/cancel", "{}").status, 200);
  auto cancelled = parsed(api.client.get("/v1/jobs?status=cancelled"));
  ASSERT_EQ(data_size(cancelled), 1);
  EXPECT_EQ(json_string(cancelled["data"][0], "id"), ids[1]);
  EXPECT_EQ(data_size(parsed(api.client.get("/v1/jobs?status=queued"))), 2);
  auto c = api.p.db.connect();
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM jobs")[0].as<int>(), 0) << "no projector ran";
}

TEST(JobsApi, CancelFollowsTheStateTableAndTellsWorkers) {
  Api api(no_workers());
  ASSERT_TRUE(api.ready());
  const auto ids = submitted_ids(api.client.post("/v1/jobs", jobs_body(2)));
  ASSERT_EQ(ids.size(), 2u);
  auto redis = api.p.redis.connect();
  auto sub = redis->command({"SUBSCRIBE", api.p.redis.prefix() + ":cancel"});
  ASSERT_TRUE(sub.ok());

  auto cancelled = api.client.post("/v1/jobs/" + ids[0] + "/cancel", "");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  auto job = parsed(cancelled);
  EXPECT_EQ(json_string(job, "status"), "cancelled");
  EXPECT_TRUE(job["completed_at"].IsInt64());
  // Workers hear of it on the cancel channel: the job's uuid.
  auto message = redis->next_reply();
  ASSERT_TRUE(message.ok());
  ASSERT_EQ(message->elements.size(), 3u);
  EXPECT_EQ(message->elements[0].str, "message");
  EXPECT_EQ(Uuid::parse(message->elements[2].str), from_api_id(id_prefix::kJob, ids[0]));

  // Illegal transitions are 409s naming the current state, and change nothing.
  auto again = api.client.post("/v1/jobs/" + ids[0] + "/cancel", "");
  EXPECT_EQ(again.status, 409);
  auto err = parsed(again);
  EXPECT_EQ(json_string(err["error"], "code"), "invalid_job_state");
  EXPECT_NE(std::string(*json_string(err["error"], "message")).find("cancelled"),
            std::string::npos);
  EXPECT_EQ(json_string(err["error"]["details"], "current_status"), "cancelled");
  auto consume_cancelled = api.client.post("/v1/jobs/" + ids[0] + "/consume", "");
  EXPECT_EQ(consume_cancelled.status, 409);
  EXPECT_EQ(json_string(parsed(consume_cancelled)["error"]["details"], "current_status"),
            "cancelled");
  auto consume_queued = api.client.post("/v1/jobs/" + ids[1] + "/consume-failed", "");
  EXPECT_EQ(consume_queued.status, 409);
  EXPECT_EQ(json_string(parsed(consume_queued)["error"]["details"], "current_status"), "queued");

  EXPECT_EQ(api.client.post("/v1/jobs/" + ids[1] + "/cancel", R"({"why": 1})").status, 400);
  EXPECT_EQ(api.client.post("/v1/jobs/job_00000000000000000000000000000000/cancel", "").status,
            404);
  EXPECT_EQ(api.client.post("/v1/jobs/garbage/cancel", "").status, 404);
  EXPECT_EQ(api.count_events("event_type = 'JobCancelled'"), 1);
  EXPECT_EQ(
      api.count_events("stream_id = '" + from_api_id(id_prefix::kJob, ids[1])->to_string() + "'"),
      1);
  // One audit record per command, accepted or refused.
  EXPECT_TRUE(test::wait_until([&] {
    return api.count_events("event_type = 'CommandAudited' AND data->>'action' = 'jobs.cancel'") ==
           5;
  }));
  EXPECT_EQ(api.count_events("event_type = 'CommandAudited' AND data->>'action' = 'jobs.cancel'"
                             " AND data->>'outcome' = 'succeeded'"),
            1);
}

TEST(JobsApi, ConsumeAndConsumeFailedAcknowledgeResults) {
  Api api(test::PipelineOptions{});
  ASSERT_TRUE(api.ready());
  const auto ids = submitted_ids(api.client.post("/v1/jobs", jobs_body(2)));
  ASSERT_EQ(ids.size(), 2u);
  for (const auto& id : ids)
    ASSERT_EQ(status_of(api.client.get("/v1/jobs/" + id + "?wait=30")), "succeeded");

  auto consumed = api.client.post("/v1/jobs/" + ids[0] + "/consume", "");
  ASSERT_EQ(consumed.status, 200) << consumed.body;
  auto job = parsed(consumed);
  EXPECT_EQ(json_string(job, "status"), "consumed");
  EXPECT_TRUE(job["acknowledged_at"].IsInt64());
  EXPECT_EQ(json_string(job["result"]["message"], "content"), "Echo: prompt 0");

  auto failed = api.client.post("/v1/jobs/" + ids[1] + "/consume-failed", "{}");
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_EQ(status_of(failed), "error_consuming");

  for (const char* verb : {"/consume", "/consume-failed", "/cancel"}) {
    auto r = api.client.post("/v1/jobs/" + ids[0] + verb, "");
    EXPECT_EQ(r.status, 409) << verb;
    EXPECT_EQ(json_string(parsed(r)["error"]["details"], "current_status"), "consumed");
  }
  ASSERT_TRUE(test::wait_until([&] {
    auto list = parsed(api.client.get("/v1/jobs?status=consumed"));
    return data_size(list) == 1 && json_string(list["data"][0], "id") == ids[0];
  }));
  EXPECT_EQ(data_size(parsed(api.client.get("/v1/jobs?status=error_consuming"))), 1);
}

}  // namespace
}  // namespace bl
