#include "ingest/multipart.hpp"

#include <gtest/gtest.h>

namespace bl {
namespace {

TEST(Multipart, ReadsTheBoundaryFromTheContentType) {
  EXPECT_EQ(*multipart_boundary("multipart/form-data; boundary=----formdata-undici-0123"),
            "----formdata-undici-0123");
  EXPECT_EQ(*multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"openai-x1\""),
            "openai-x1");
  EXPECT_FALSE(multipart_boundary("application/json").ok());
  EXPECT_FALSE(multipart_boundary("multipart/form-data").ok());
}

TEST(Multipart, ParsesPartsInAnyOrderWithoutCopying) {
  const std::string body =
      "preamble\r\n--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"q\\\".jsonl\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\nline1\r\nline2 --b not a boundary\r\n"
      "--b--\r\n";
  auto parts = parse_multipart(body, "b");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "purpose");
  EXPECT_EQ((*parts)[0].data, "batch");
  EXPECT_FALSE((*parts)[0].filename.has_value());
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ((*parts)[1].filename, "a \"q\".jsonl");
  EXPECT_EQ((*parts)[1].content_type, "application/octet-stream");
  EXPECT_EQ((*parts)[1].data, "line1\r\nline2 --b not a boundary");
  EXPECT_GE((*parts)[1].data.data(), body.data());  // points into the body
}

TEST(Multipart, RefusesMalformedBodies) {
  EXPECT_FALSE(parse_multipart("no boundary here", "b").ok());
  EXPECT_FALSE(parse_multipart("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx", "b")
                   .ok());                                                   // truncated
  EXPECT_FALSE(parse_multipart("--b\r\nX: y\r\n\r\nx\r\n--b--", "b").ok());  // no name
  std::string many;
  for (int i = 0; i < 20; ++i)
    many += "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n";
  EXPECT_FALSE(parse_multipart(many + "--b--", "b", 16).ok());
}

}  // namespace
}  // namespace bl
