// The OpenAI-compatible Files API against a running ingest: both multipart shapes the SDK
// sends, the file object, content, listing and paging, deletion, every error, tenant
// isolation, and content sealed at rest.

#include <gtest/gtest.h>

#include "tests/support/batch_client.hpp"

namespace bl {
namespace {

using test::parse_or_die;

TEST(FilesApi, BothMultipartShapesStoreTheExactBytes) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  const std::string content = test::batch_lines(3);
  test::HttpResult sized;
  const std::string a = test::upload_batch_file(p, content, false, &sized);
  ASSERT_FALSE(a.empty()) << sized.status << " " << sized.body;
  EXPECT_EQ(sized.headers["content-type"], "application/json");
  const std::string b = test::upload_batch_file(p, content, true);
  ASSERT_FALSE(b.empty());
  EXPECT_NE(a, b);

  auto doc = parse_or_die(sized.body);
  EXPECT_EQ(json_string(doc, "object"), "file");
  EXPECT_EQ(json_int(doc, "bytes"), static_cast<std::int64_t>(content.size()));
  EXPECT_EQ(json_string(doc, "filename"), "input.jsonl");
  EXPECT_EQ(json_string(doc, "purpose"), "batch");
  EXPECT_EQ(json_string(doc, "status"), "processed");
  EXPECT_GT(json_int(doc, "expires_at").value_or(0), json_int(doc, "created_at").value_or(0));

  for (const auto& id : {a, b}) {
    auto got = p.get("/v1/files/" + id);
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(json_int(parse_or_die(got.body), "bytes"), static_cast<std::int64_t>(content.size()));
    auto bytes = p.get("/v1/files/" + id + "/content");
    ASSERT_EQ(bytes.status, 200);
    EXPECT_EQ(bytes.body, content);
  }

  // Newest first; paging by the last id seen.
  auto first = parse_or_die(p.get("/v1/files?limit=1").body);
  ASSERT_EQ(first["data"].Size(), 1u);
  EXPECT_EQ(json_string(first["data"][0], "id"), b);
  EXPECT_EQ(json_bool(first, "has_more"), true);
  auto second = parse_or_die(p.get("/v1/files?limit=1&after=" + b).body);
  ASSERT_EQ(second["data"].Size(), 1u);
  EXPECT_EQ(json_string(second["data"][0], "id"), a);
  EXPECT_EQ(json_bool(second, "has_more"), false);
  auto ascending = parse_or_die(p.get("/v1/files?order=asc&purpose=batch").body);
  ASSERT_EQ(ascending["data"].Size(), 2u);
  EXPECT_EQ(json_string(ascending["data"][0], "id"), a);

  // The content is sealed at rest: no prompt in a dump of the database.
  const std::string dump = test::run_command("pg_dump '" + p.db.url() + "'");
  ASSERT_NE(dump.find("file_chunks"), std::string::npos) << "the dump did not work";
  EXPECT_EQ(dump.find("canary prompt"), std::string::npos);
  EXPECT_EQ(dump.find("input.jsonl"), std::string::npos);

  auto deleted = test::http("DELETE", p.url("/v1/files/" + a), "", {p.auth_header()});
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  auto del = parse_or_die(deleted.body);
  EXPECT_EQ(json_string(del, "id"), a);
  EXPECT_EQ(json_bool(del, "deleted"), true);
  EXPECT_EQ(p.get("/v1/files/" + a).status, 404);
  EXPECT_EQ(p.get("/v1/files/" + a + "/content").status, 404);
  EXPECT_EQ(test::http("DELETE", p.url("/v1/files/" + a), "", {p.auth_header()}).status, 404);
  auto c = p.db.connect();
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM file_chunks WHERE file_id = '" + a.substr(5) + "'")[0]
                .as<int>(),
            0);
  EXPECT_EQ(
      tx.exec1("SELECT count(*) FROM events WHERE data->>'action' = 'files.create'")[0].as<int>(),
      2);
}

TEST(FilesApi, LargeFilesSpanSealedChunksAndComeBackWhole) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  std::string content;
  for (int i = 0; content.size() < (5u << 20) / 2; ++i)
    content += test::batch_line("req-" + std::to_string(i), std::string(200, 'a' + i % 26)) + "\n";
  const std::string id = test::upload_batch_file(p, content, true);
  ASSERT_FALSE(id.empty());
  auto back = p.get("/v1/files/" + id + "/content");
  ASSERT_EQ(back.status, 200);
  EXPECT_EQ(back.body.size(), content.size());
  EXPECT_TRUE(back.body == content);
  auto c = p.db.connect();
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM file_chunks")[0].as<int>(), 3);
  // A chunk moved to another place in the file does not open.
  tx.exec("UPDATE file_chunks SET seq = -1 WHERE seq = 0");
  tx.exec("UPDATE file_chunks SET seq = 0 WHERE seq = 1");
  tx.exec("UPDATE file_chunks SET seq = 1 WHERE seq = -1");
  tx.commit();
  EXPECT_EQ(p.get("/v1/files/" + id + "/content").status, 500);
}

TEST(FilesApi, RejectsBadUploads) {
  test::PipelineOptions o;
  o.extra_config_json = R"("max_upload_bytes": 4096)";
  test::Pipeline p(o);
  ASSERT_TRUE(p.ready());
  const std::string boundary = "b0undary";
  const std::string type = "Content-Type: multipart/form-data; boundary=" + boundary;
  auto upload = [&](const std::vector<std::pair<std::string, std::string>>& fields) {
    return test::http("POST", p.url("/v1/files"), test::multipart_body(boundary, fields),
                      {p.auth_header(), type});
  };
  EXPECT_EQ(upload({{"file", "x"}}).status, 400);                            // no purpose
  EXPECT_EQ(upload({{"purpose", "batch"}}).status, 400);                     // no file
  EXPECT_EQ(upload({{"file", "x"}, {"purpose", "fine-tune"}}).status, 400);  // purpose
  EXPECT_EQ(upload({{"file", "x"}, {"purpose", "batch"}, {"expires_after[seconds]", "5"}}).status,
            400);
  EXPECT_EQ(upload({{"file", std::string(5000, 'x')}, {"purpose", "batch"}}).status, 413);
  EXPECT_EQ(
      test::http_chunked_post(p.url("/v1/files"),
                              test::multipart_body(boundary, {{"purpose", "batch"},
                                                              {"file", std::string(200000, 'x')}}),
                              {p.auth_header(), type})
          .status,
      413);
  EXPECT_EQ(test::http("POST", p.url("/v1/files"), "{}",
                       {p.auth_header(), "Content-Type: application/json"})
                .status,
            400);
  auto truncated = test::http("POST", p.url("/v1/files"),
                              "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"",
                              {p.auth_header(), type});
  EXPECT_EQ(truncated.status, 400);
  auto unauth =
      test::http("POST", p.url("/v1/files"),
                 test::multipart_body(boundary, {{"file", "x"}, {"purpose", "batch"}}), {type});
  EXPECT_EQ(unauth.status, 401);
  EXPECT_EQ(json_string(parse_or_die(unauth.body)["error"], "type"), "authentication_error");
  EXPECT_EQ(p.get("/v1/files/file-nope").status, 404);
  EXPECT_EQ(p.get("/v1/files?limit=0").status, 400);
  EXPECT_EQ(p.get("/v1/files?order=sideways").status, 400);
  // A JSON route keeps its small limit although the server buffers large uploads.
  EXPECT_EQ(p.post("/v1/batches", std::string(9 << 20, ' ')).status, 413);

  // Every rejection was audited, none left a file.
  auto c = p.db.connect();
  ASSERT_TRUE(test::wait_until([&] {
    pqxx::work tx(*c);
    return tx.exec1(
                 "SELECT count(*) FROM events WHERE data->>'action' = 'files.create'"
                 " AND data->>'outcome' = 'rejected'")[0]
               .as<int>() >= 7;
  }));
  pqxx::work tx(*c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM files")[0].as<int>(), 0);
}

TEST(FilesApi, AnotherTenantSeesNothing) {
  test::Pipeline p;
  ASSERT_TRUE(p.ready());
  const std::string content = test::batch_lines(2);
  const std::string id = test::upload_batch_file(p, content);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(p.get_as_other("/v1/files/" + id).status, 404);
  EXPECT_EQ(p.get_as_other("/v1/files/" + id + "/content").status, 404);
  auto list = parse_or_die(p.get_as_other("/v1/files").body);
  EXPECT_EQ(list["data"].Size(), 0u);
  auto del = test::http("DELETE", p.url("/v1/files/" + id), "",
                        {"Authorization: Bearer " + p.other_api_key});
  EXPECT_EQ(del.status, 404);
  // Nothing changed for the owner.
  auto mine = p.get("/v1/files/" + id + "/content");
  EXPECT_EQ(mine.status, 200);
  EXPECT_EQ(mine.body, content);
}

}  // namespace
}  // namespace bl
