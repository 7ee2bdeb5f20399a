// The OpenAPI document (docs/openapi.json, compiled in and served at /openapi.json) names
// exactly the routes ingest serves, and passes Redocly's strict lint (tests/ui).

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "core/json.hpp"
#include "ingest/ingest_server.hpp"
#include "ingest/static_files.hpp"
#include "tests/support/pipeline.hpp"

namespace bl {
namespace {

using RouteSet = std::set<std::pair<std::string, std::string>>;  // (METHOD, pattern)

RouteSet documented_routes(const std::string& document) {
  RouteSet routes;
  auto doc = parse_json(document);
  EXPECT_TRUE(doc.ok());
  if (!doc.ok()) return routes;
  const JsonValue* paths = json_member(*doc, "paths");
  EXPECT_NE(paths, nullptr);
  if (paths == nullptr) return routes;
  for (auto p = paths->MemberBegin(); p != paths->MemberEnd(); ++p) {
    for (auto m = p->value.MemberBegin(); m != p->value.MemberEnd(); ++m) {
      std::string method(as_view(m->name));
      if (method == "parameters" || method == "summary" || method == "description") continue;
      std::transform(method.begin(), method.end(), method.begin(), ::toupper);
      routes.emplace(method, std::string(as_view(p->name)));
    }
  }
  return routes;
}

TEST(OpenApi, DocumentListsEveryRouteOfTheServerAndNoOther) {
  test::Pipeline p(test::PipelineOptions{.start_roles = false});
  Config config = test::config_from(p.env);
  config.listen_port = 0;
  IngestServer server(config);
  ASSERT_TRUE(server.start().ok());
  const auto& served = server.routes();
  const RouteSet routes(served.begin(), served.end());
  server.stop();
  ASSERT_GT(routes.size(), 30u);
  const StaticFile* file = find_static_file("openapi.json");
  ASSERT_NE(file, nullptr);
  const RouteSet documented = documented_routes(std::string(file->content));
  for (const auto& r : routes) {
    EXPECT_TRUE(documented.count(r))
        << r.first << " " << r.second << " is served but missing from docs/openapi.json";
  }
  for (const auto& r : documented) {
    EXPECT_TRUE(routes.count(r)) << r.first << " " << r.second
                                 << " is in docs/openapi.json but not served";
  }
}

TEST(OpenApi, ServedDocumentIsTheRepositoryFileAndTheDashboardHasAPolicy) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  const auto doc = test::http("GET", p.url("/openapi.json"));
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body, test::read_file(std::string(BL_SOURCE_DIR) + "/docs/openapi.json"));
  auto page = test::http("GET", p.url("/ui"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<script type=\"module\" src=\"/ui/app.js\">"), std::string::npos);
  EXPECT_NE(page.headers["content-security-policy"].find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(test::http("GET", p.url("/ui/app.js")).status, 200);
  EXPECT_EQ(test::http("GET", p.url("/ui/..%2Fopenapi.json")).status, 404);
  EXPECT_EQ(test::http("GET", p.url("/ui/missing.js")).status, 404);
}

TEST(OpenApi, RedoclyStrictLintPasses) {
  const std::string dir = std::string(BL_SOURCE_DIR) + "/tests/ui";
  struct stat st {};
  ASSERT_EQ(stat((dir + "/node_modules").c_str(), &st), 0)
      << "tests/ui/node_modules is missing: run scripts/setup";
  const std::string log = test::scratch_dir() + "/redocly-lint.log";
  const std::string out = test::run_command(
      "cd '" + dir +
      "' && node_modules/.bin/redocly lint ../../docs/openapi.json --format=stylish >'" + log +
      "' 2>&1; echo \"exit=$?\"");
  EXPECT_EQ(out, "exit=0\n") << test::read_file(log);
}

}  // namespace
}  // namespace bl
