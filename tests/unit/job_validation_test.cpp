#include "ingest/job_validation.hpp"

#include <gtest/gtest.h>

namespace bl {
namespace {

Config config_with_model() {
  auto c = load_config_from(
      R"({"models": [{"id": "m1", "base_url": "http://x", "max_output_tokens": 100}]})", {});
  EXPECT_TRUE(c.ok());
  return std::move(*c);
}

TEST(JobValidation, AcceptsOneJobOrAList) {
  Config c = config_with_model();
  auto one = validate_jobs(R"({"model":"m1","messages":[{"role":"user","content":"hi"}]})", c);
  ASSERT_FALSE(one.error) << one.error->message;
  ASSERT_EQ(one.jobs.size(), 1u);
  EXPECT_EQ(one.jobs[0].model, "m1");
  auto many = validate_jobs(
      R"({"jobs":[{"model":"m1","messages":[{"role":"user","content":"a"}],"max_tokens":5,"custom_id":"x"},
                  {"model":"m1","messages":[{"role":"user","content":"b"}],"priority":3}]})",
      c);
  ASSERT_FALSE(many.error);
  ASSERT_EQ(many.jobs.size(), 2u);
  EXPECT_EQ(many.jobs[0].max_tokens, 5);
  EXPECT_EQ(many.jobs[0].custom_id, "x");
  EXPECT_EQ(many.jobs[1].priority, 3);
  EXPECT_NE(many.jobs[0].request_json.find(R"("parameters":{"max_tokens":5})"), std::string::npos);
}

TEST(JobValidation, ReportsEveryBadItemWithIndexAndField) {
  Config c = config_with_model();
  auto r = validate_jobs(
      R"({"jobs":[{"model":"m1","messages":[{"role":"user","content":"ok"}],"custom_id":"d"},
                  {"model":"nope","messages":[{"role":"user","content":"a"}]},
                  {"model":"m1","messages":[]},
                  {"model":"m1","messages":[{"role":"wizard","content":"a"}]},
                  {"model":"m1","messages":[{"role":"user","content":"a"}],"custom_id":"d"},
                  {"model":"m1","messages":[{"role":"user","content":"a"}],"max_tokens":1000},
                  {"model":"m1","messages":[{"role":"user","content":"a"}],"tempreature":1}]})",
      c);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->status, 400);
  EXPECT_TRUE(r.jobs.empty());  // nothing is written when anything is wrong
  const std::string& d = r.error->details_json;
  EXPECT_NE(d.find(R"({"index":1,"param":"model","code":"unknown_model")"), std::string::npos) << d;
  EXPECT_NE(d.find(R"({"index":2,"param":"messages","code":"empty_messages")"), std::string::npos);
  EXPECT_NE(d.find(R"({"index":3,"param":"messages[0].role","code":"invalid_role")"),
            std::string::npos);
  EXPECT_NE(d.find(R"({"index":4,"param":"custom_id","code":"duplicate_custom_id")"),
            std::string::npos);
  EXPECT_NE(d.find(R"({"index":5,"param":"max_tokens","code":"invalid_value")"), std::string::npos);
  EXPECT_NE(d.find(R"({"index":6,"param":"tempreature","code":"unknown_field")"),
            std::string::npos);
  EXPECT_EQ(d.find(R"("index":0)"), std::string::npos);
}

TEST(JobValidation, RejectsBadBodies) {
  Config c = config_with_model();
  EXPECT_EQ(validate_jobs("not json", c).error->code, "invalid_json");
  EXPECT_EQ(validate_jobs("[1,2]", c).error->code, "invalid_type");
  EXPECT_EQ(validate_jobs(R"({"jobs":[]})", c).error->code, "empty_request");
  c.max_jobs_per_request = 1;
  EXPECT_EQ(validate_jobs(R"({"jobs":[{},{}]})", c).error->code, "too_many_jobs");
  c.max_body_bytes = 10;
  EXPECT_EQ(validate_jobs(R"({"jobs":[{"model":"m1"}]})", c).error->status, 413);
}

TEST(JobValidation, OversizeJobIsRefused) {
  Config c = config_with_model();
  c.max_job_bytes = 300;
  const std::string big(400, 'x');
  auto r = validate_jobs(
      R"({"jobs":[{"model":"m1","messages":[{"role":"user","content":")" + big + R"("}]}]})", c);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->details_json.find("too_large"), std::string::npos);
}

}  // namespace
}  // namespace bl
