// Tenant isolation, route by route: every route the ingest Router has is probed with another
// tenant's valid key and the first tenant's ids. Reads of a foreign object answer 404 exactly
// like a missing one, writes 404 (403 where the key's kind is refused), lists show nothing
// foreign, and the first tenant's state is unchanged afterwards. A route without a probe in
// kProbes fails the test, so a new route cannot be forgotten: add one line for it.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/json.hpp"
#include "core/stop_signal.hpp"
#include "ingest/ingest_server.hpp"
#include "projections/projector.hpp"
#include "tests/support/batch_client.hpp"
#include "tests/support/job_requests.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

enum class As { kClient, kAdmin, kNobody };

struct Probe {
  const char* method;
  const char* pattern;  // the route as the Router has it
  const char* path;     // $job, $file, $batch, $msgbatch, $webhook, $prompt, $opt, $chain, $conv,
                        // $key, $ws, $org
  As as;
  std::set<long> expect;
  const char* body = "";
};

const std::set<long> kMissing = {404};
const std::set<long> kOk = {200};
const std::set<long> kCreated = {200, 201, 202};

const char* const kJobBody =
    R"({"model":"test-model","messages":[{"role":"user","content":"beta"}]})";

const char* const kMessageBatchBody =
    R"({"requests":[{"custom_id":"b","params":{"model":"test-model","max_tokens":8,)"
    R"("messages":[{"role":"user","content":"beta"}]}}]})";
const char* const kWebhookBody =
    R"({"url":"https://hooks.example.com/beta","event_types":["job.failed"]})";
const char* const kPromptBody = R"({"name":"p","content":"Say {input}"})";
const char* const kOptimizationBody =
    R"({"task_prompt":"Solve: {input}","dataset":{"examples":[)"
    R"({"input":"a","expected":"b","split":"train"},)"
    R"({"input":"c","expected":"d","split":"validation"}]},)"
    R"("models":["test-model"],"scorer":{"type":"exact"},"optimizer":{"model":"test-model"},)"
    R"("rounds":1,"candidates_per_round":1})";
const char* const kChainBody =
    R"({"job":{"model":"test-model","messages":[{"role":"user","content":"beta"}]},)"
    R"("eval":{"model":"test-model","prompt":"Judge."},)"
    R"("meta":{"model":"test-model","prompt":"Improve."}})";

// One line per route.
const Probe kProbes[] = {
    {"POST", "/v1/jobs", "/v1/jobs", As::kClient, kCreated, kJobBody},  // alpha's Idempotency-Key
    {"GET", "/v1/jobs", "/v1/jobs", As::kClient, kOk},
    {"GET", "/v1/jobs/{id}", "/v1/jobs/$job?wait=1", As::kClient, kMissing},
    {"POST", "/v1/jobs/{id}/cancel", "/v1/jobs/$job/cancel", As::kClient, kMissing},
    {"POST", "/v1/jobs/{id}/consume", "/v1/jobs/$job/consume", As::kClient, kMissing},
    {"POST", "/v1/jobs/{id}/consume-failed", "/v1/jobs/$job/consume-failed", As::kClient, kMissing},
    {"POST", "/v1/files", "", As::kClient, kCreated},  // multipart upload, see send()
    {"GET", "/v1/files", "/v1/files", As::kClient, kOk},
    {"GET", "/v1/files/{id}", "/v1/files/$file", As::kClient, kMissing},
    {"GET", "/v1/files/{id}/content", "/v1/files/$file/content", As::kClient, kMissing},
    {"DELETE", "/v1/files/{id}", "/v1/files/$file", As::kClient, kMissing},
    {"POST", "/v1/batches", "/v1/batches", As::kClient, kMissing,
     R"({"input_file_id":"$file","endpoint":"/v1/chat/completions","completion_window":"24h"})"},
    {"GET", "/v1/batches", "/v1/batches", As::kClient, kOk},
    {"GET", "/v1/batches/{id}", "/v1/batches/$batch", As::kClient, kMissing},
    {"POST", "/v1/batches/{id}/cancel", "/v1/batches/$batch/cancel", As::kClient, kMissing},
    {"POST", "/v1/batches/{id}/retry", "/v1/batches/$batch/retry", As::kClient, kMissing},
    {"GET", "/v1/batches/{id}/output", "/v1/batches/$batch/output", As::kClient, kMissing},
    {"GET", "/v1/batches/{id}/errors", "/v1/batches/$batch/errors", As::kClient, kMissing},
    {"POST", "/v1/messages/batches", "/v1/messages/batches", As::kClient, kCreated,
     kMessageBatchBody},
    {"GET", "/v1/messages/batches", "/v1/messages/batches", As::kClient, kOk},
    {"GET", "/v1/messages/batches/{id}", "/v1/messages/batches/$msgbatch", As::kClient, kMissing},
    {"POST", "/v1/messages/batches/{id}/cancel", "/v1/messages/batches/$msgbatch/cancel",
     As::kClient, kMissing},
    {"DELETE", "/v1/messages/batches/{id}", "/v1/messages/batches/$msgbatch", As::kClient,
     kMissing},
    {"GET", "/v1/messages/batches/{id}/results", "/v1/messages/batches/$msgbatch/results",
     As::kClient, kMissing},
    {"POST", "/v1/webhooks", "/v1/webhooks", As::kClient, kCreated, kWebhookBody},
    {"GET", "/v1/webhooks", "/v1/webhooks", As::kClient, kOk},
    {"GET", "/v1/webhooks/{id}", "/v1/webhooks/$webhook", As::kClient, kMissing},
    {"DELETE", "/v1/webhooks/{id}", "/v1/webhooks/$webhook", As::kClient, kMissing},
    {"GET", "/v1/webhooks/{id}/deliveries", "/v1/webhooks/$webhook/deliveries", As::kClient,
     kMissing},
    {"POST", "/v1/organizations", "/v1/organizations", As::kAdmin, {403}, R"({"name":"x"})"},
    {"GET", "/v1/organizations", "/v1/organizations", As::kAdmin, {403}},
    {"POST", "/v1/organization/workspaces", "/v1/organization/workspaces", As::kAdmin, kMissing,
     R"({"name":"x","organization_id":"$org"})"},
    {"GET", "/v1/organization/workspaces", "/v1/organization/workspaces?organization_id=$org",
     As::kAdmin, kMissing},
    {"POST", "/v1/organization/keys", "/v1/organization/keys", As::kAdmin, kMissing,
     R"({"workspace_id":"$ws"})"},
    {"GET", "/v1/organization/keys", "/v1/organization/keys?include_revoked=true", As::kAdmin, kOk},
    {"GET", "/v1/organization/keys/{id}", "/v1/organization/keys/$key", As::kAdmin, kMissing},
    {"POST", "/v1/organization/keys/{id}/revoke", "/v1/organization/keys/$key/revoke", As::kAdmin,
     kMissing},
    {"POST", "/v1/prompts", "/v1/prompts", As::kClient, kCreated, kPromptBody},
    {"GET", "/v1/prompts", "/v1/prompts", As::kClient, kOk},
    {"GET", "/v1/prompts/{id}", "/v1/prompts/$prompt", As::kClient, kMissing},
    {"POST", "/v1/prompts/{id}/versions", "/v1/prompts/$prompt/versions", As::kClient, kMissing,
     R"({"content":"x"})"},
    {"POST", "/v1/prompts/{id}/versions/{version}/publish",
     "/v1/prompts/$prompt/versions/1/publish", As::kClient, kMissing},
    {"POST", "/v1/prompts/{id}/versions/{version}/archive",
     "/v1/prompts/$prompt/versions/1/archive", As::kClient, kMissing},
    {"POST", "/v1/optimizations", "/v1/optimizations", As::kClient, kCreated, kOptimizationBody},
    {"GET", "/v1/optimizations", "/v1/optimizations", As::kClient, kOk},
    {"GET", "/v1/optimizations/{id}", "/v1/optimizations/$opt", As::kClient, kMissing},
    {"POST", "/v1/optimizations/{id}/pause", "/v1/optimizations/$opt/pause", As::kClient, kMissing},
    {"POST", "/v1/optimizations/{id}/resume", "/v1/optimizations/$opt/resume", As::kClient,
     kMissing},
    {"POST", "/v1/optimizations/{id}/cancel", "/v1/optimizations/$opt/cancel", As::kClient,
     kMissing},
    {"POST", "/v1/optimizations/{id}/publish", "/v1/optimizations/$opt/publish", As::kClient,
     kMissing, R"({"name":"x"})"},
    {"POST", "/v1/chains", "/v1/chains", As::kClient, kCreated, kChainBody},
    {"GET", "/v1/chains/{id}", "/v1/chains/$chain", As::kClient, kMissing},
    {"GET", "/v1/usage", "/v1/usage", As::kClient, kOk},
    {"GET", "/v1/admin/quota", "/v1/admin/quota?organization_id=$org", As::kAdmin, kOk},
    {"POST", "/v1/admin/quota", "/v1/admin/quota?organization_id=$org", As::kAdmin, kOk,
     R"({"monthly_token_limit":1000000000})"},
    {"GET", "/v1/admin/quota/history", "/v1/admin/quota/history?organization_id=$org", As::kAdmin,
     kOk},
    {"GET", "/v1/admin/audit", "/v1/admin/audit", As::kAdmin, kOk},
    {"GET", "/v1/admin/audit/export", "/v1/admin/audit/export?format=json", As::kAdmin, kOk},
    {"GET", "/v1/admin/audit/stats", "/v1/admin/audit/stats", As::kAdmin, kOk},
    {"GET", "/v1/conversations", "/v1/conversations", As::kClient, kOk},
    {"GET", "/v1/conversations/{id}", "/v1/conversations/$conv", As::kClient, kMissing},
    {"PATCH", "/v1/conversations/{id}", "/v1/conversations/$conv", As::kClient, kMissing,
     R"({"title":"beta"})"},
    {"DELETE", "/v1/conversations/{id}", "/v1/conversations/$conv", As::kClient, kMissing},
    {"GET", "/v1/conversations/{id}/export", "/v1/conversations/$conv/export?format=json",
     As::kClient, kMissing},
    // Installation-wide figures only (queues, workers, projection lag): no tenant's objects.
    {"GET", "/v1/admin/status", "/v1/admin/status", As::kAdmin, kOk},
    {"GET", "/healthz", "/healthz", As::kNobody, kOk},
    {"GET", "/readyz", "/readyz", As::kNobody, kOk},
    {"GET", "/metrics", "/metrics", As::kNobody, kOk},
    {"GET", "/openapi.json", "/openapi.json", As::kNobody, kOk},
    {"GET", "/ui", "/ui", As::kNobody, kOk},
    {"GET", "/ui/{file}", "/ui/app.js", As::kNobody, kOk},
};

std::string replace_all(std::string s, const std::map<std::string, std::string>& ids) {
  for (const auto& [name, value] : ids) {
    for (auto at = s.find(name); at != std::string::npos; at = s.find(name, at + value.size()))
      s.replace(at, name.size(), value);
  }
  return s;
}

std::string id_of(const test::HttpResult& r) {
  auto doc = parse_json(r.body);
  if (!doc.ok() || !doc->IsObject()) return "";
  if (auto id = json_string(*doc, "id")) return std::string(*id);
  auto ids = test::job_ids(r.body);
  return ids.empty() ? "" : ids[0];
}

// The error's code and type: a foreign object must be answered like a missing one.
std::string error_kind(const test::HttpResult& r) {
  auto doc = parse_json(r.body);
  if (!doc.ok() || !doc->IsObject() || !doc->HasMember("error")) return r.body;
  const JsonValue& e = (*doc)["error"];
  return std::string(json_string(e, "code").value_or("")) + "/" +
         std::string(json_string(e, "type").value_or(""));
}

// Alpha's state: streams born in its workspace, its keys, workspaces, files and webhooks.
std::string alpha_state(const test::TestDatabase& db, const test::TestTenant& a) {
  auto c = db.connect();
  pqxx::work tx(*c);
  const std::string ws = tx.quote(a.workspace_id);
  const std::string org = tx.quote(a.org_id);
  return tx
      .exec1(
          "SELECT (SELECT count(*) || ':' || coalesce(max(position), 0) FROM events"
          "   WHERE stream_type <> 'audit' AND stream_id IN (SELECT stream_id FROM events"
          "   WHERE version = 1 AND metadata->>'workspace_id' = " +
          ws +
          ")) || '/' ||"
          " (SELECT count(*) || ':' || count(revoked_at) FROM api_keys WHERE org_id = " +
          org + " OR workspace_id = " + ws +
          ") || '/' || (SELECT count(*) FROM workspaces WHERE org_id = " + org +
          ") || '/' || (SELECT count(*) || ':' || count(deleted_at) FROM files"
          "   WHERE workspace_id = " +
          ws +
          ") || '/' || (SELECT coalesce(string_agg(status, ',' ORDER BY endpoint_id), '')"
          "   FROM webhook_endpoints WHERE workspace_id = " +
          ws +
          ") || '/' || (SELECT count(*) || ':' || coalesce(string_agg(v.state, ','), '')"
          "   FROM prompt_versions v JOIN prompts p USING (prompt_id) WHERE p.workspace_id = " +
          ws +
          ") || '/' || (SELECT coalesce(string_agg(status, ','), '') FROM optimizations"
          "   WHERE workspace_id = " +
          ws + ")")[0]
      .as<std::string>();
}

TEST(TenantIsolationSweep, EveryRouteRefusesAnotherTenantsIdsAndChangesNothing) {
  test::PipelineOptions options;
  options.start_roles = false;
  test::Pipeline p(options);
  const auto a = test::make_tenant(p.env, "alpha");
  const auto b = test::make_tenant(p.env, "beta");
  Config config = test::config_from(p.env);
  config.listen_port = 0;
  IngestServer ingest(config);
  ASSERT_TRUE(ingest.start().ok());
  p.ingest_port = ingest.port();
  test::ApiClient alpha{p.ingest_port, a.client_key};
  test::ApiClient beta{p.ingest_port, b.client_key};
  test::ApiClient beta_admin{p.ingest_port, b.admin_key};
  ASSERT_TRUE(test::wait_until([&] {
    return alpha.get("/v1/jobs").status == 200 && beta.get("/v1/jobs").status == 200 &&
           beta_admin.get("/v1/organization/keys").status == 200;
  }));

  // Alpha's objects, one of each kind.
  const std::string idempotency = "Idempotency-Key: alpha-shared-key";
  std::map<std::string, std::string> ids = {
      {"$ws", a.workspace_id}, {"$org", a.org_id}, {"$key", a.client_key_id}};
  ids["$job"] = id_of(alpha.post("/v1/jobs", kJobBody, {idempotency}));
  p.api_key = a.client_key;
  ids["$file"] = test::upload_batch_file(p, test::batch_lines(2));
  ids["$batch"] = id_of(test::create_batch(p, ids["$file"]));
  ids["$msgbatch"] = id_of(alpha.post("/v1/messages/batches", kMessageBatchBody));
  ids["$webhook"] = id_of(alpha.post("/v1/webhooks", kWebhookBody));
  ids["$prompt"] = id_of(alpha.post("/v1/prompts", kPromptBody));
  ids["$opt"] = id_of(alpha.post("/v1/optimizations", kOptimizationBody));
  ids["$chain"] = id_of(alpha.post("/v1/chains", kChainBody));
  ids["$conv"] = "conv_0190aaaabbbbccccdddd0000000000c0";
  ASSERT_EQ(alpha
                .post("/v1/jobs", R"({"model":"test-model","conversation_id":")" + ids["$conv"] +
                                      R"(","messages":[{"role":"user","content":"alpha"}]})")
                .status,
            202);
  // Fold every read model (no roles run here), so reads have alpha's rows to leak.
  {
    StopSignal stop;
    Projector projector(config, stop, {});
    auto conn = p.db.connect();
    auto projections = all_projections(config);
    ASSERT_TRUE(test::wait_until([&] {
      for (auto& projection : projections) {
        for (auto n = projector.project_once(*conn, *projection); n.ok() && *n > 0;
             n = projector.project_once(*conn, *projection)) {
        }
      }
      return alpha.get("/v1/conversations/" + ids["$conv"]).status == 200;
    }));
  }
  for (const auto& [name, value] : ids)
    ASSERT_FALSE(value.empty()) << name;
  const std::string before = alpha_state(p.db, a);

  // Every route has a probe, and every probe a route.
  std::set<std::pair<std::string, std::string>> routes;
  for (const auto& r : ingest.routes())
    routes.insert(r);
  std::set<std::pair<std::string, std::string>> probed;
  for (const auto& probe : kProbes)
    probed.insert({probe.method, probe.pattern});
  for (const auto& r : routes)
    EXPECT_TRUE(probed.count(r)) << "no isolation probe for " << r.first << " " << r.second;
  for (const auto& r : probed)
    EXPECT_TRUE(routes.count(r)) << "probe for a route that does not exist: " << r.second;

  // A missing object of each kind, for comparing answers.
  std::map<std::string, std::string> missing;
  for (const auto& [name, value] : ids) {
    std::string m = value;
    for (std::size_t i = m.size() - 8; i < m.size(); ++i)
      m[i] = '0';
    missing[name] = m;
  }

  p.api_key = b.client_key;
  for (const auto& probe : kProbes) {
    SCOPED_TRACE(std::string(probe.method) + " " + probe.pattern);
    auto send = [&](const std::map<std::string, std::string>& with) {
      if (probe.path[0] == '\0') {
        std::string content = test::batch_lines(1);
        return test::HttpResult{200, test::upload_batch_file(p, content), {}};
      }
      std::vector<std::string> headers = {"Content-Type: application/json"};
      if (probe.as == As::kClient) headers.push_back(test::bearer(b.client_key));
      if (probe.as == As::kAdmin) headers.push_back(test::bearer(b.admin_key));
      // The key alpha used: beta must get its own answer, never alpha's replayed.
      if (std::string(probe.pattern) == "/v1/jobs") headers.push_back(idempotency);
      return test::http(probe.method, p.url(replace_all(probe.path, with)),
                        replace_all(probe.body, with), headers);
    };
    const auto r = send(ids);
    EXPECT_TRUE(probe.expect.count(r.status)) << r.status << " " << r.body;
    if (r.status == 404) {
      EXPECT_EQ(error_kind(r), error_kind(send(missing))) << "foreign differs from missing";
    } else {
      for (const auto& [name, value] : ids)
        EXPECT_EQ(r.body.find(value), std::string::npos) << name << " shown: " << r.body;
    }
  }
  EXPECT_EQ(alpha_state(p.db, a), before);
  // Alpha still sees its own.
  EXPECT_EQ(alpha.get("/v1/jobs/" + ids["$job"]).status, 200);
  EXPECT_EQ(alpha.get("/v1/webhooks/" + ids["$webhook"]).status, 200);
  ingest.stop();
}

}  // namespace
}  // namespace bl
