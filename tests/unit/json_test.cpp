#include "core/json.hpp"

#include <gtest/gtest.h>

namespace bl {
namespace {

TEST(Json, ParsesAndReadsTypedMembers) {
  auto doc = parse_json(R"({"a": "x", "n": 5, "f": 1.5, "b": true})");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(json_string(*doc, "a"), "x");
  EXPECT_EQ(json_int(*doc, "n"), 5);
  EXPECT_EQ(json_number(*doc, "f"), 1.5);
  EXPECT_EQ(json_bool(*doc, "b"), true);
  EXPECT_EQ(json_string(*doc, "n"), std::nullopt);  // wrong type
  EXPECT_EQ(json_int(*doc, "missing"), std::nullopt);
}

TEST(Json, RejectsNestingDeeperThanTheLimit) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  auto doc = parse_json(deep, JsonLimits{64});
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("deeper"), std::string::npos);
  EXPECT_TRUE(parse_json(deep, JsonLimits{100}).ok());
}

TEST(Json, BracketsInsideStringsDoNotCountAsDepth) {
  std::string s = R"({"a": ")" + std::string(200, '[') + R"("})";
  EXPECT_TRUE(parse_json(s, JsonLimits{4}).ok());
}

TEST(Json, RejectsInvalidUtf8) {
  std::string bad = "{\"a\": \"\xff\xfe\"}";
  EXPECT_FALSE(parse_json(bad).ok());
}

TEST(Json, RejectsTrailingGarbageButAllowsWhitespace) {
  EXPECT_FALSE(parse_json(R"({"a":1} {"b":2})").ok());
  EXPECT_TRUE(parse_json("{\"a\":1}\n  ").ok());
}

TEST(Json, ErrorsNeverQuoteTheInput) {
  auto doc = parse_json(R"({"secret prompt": )");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().message.find("secret"), std::string::npos);
}

TEST(Json, WriterEscapes) {
  JsonWriter w;
  w.begin_object().field("q", "a\"b\\c\n").end_object();
  EXPECT_EQ(w.str(), R"({"q":"a\"b\\c\n"})");
}

}  // namespace
}  // namespace bl
