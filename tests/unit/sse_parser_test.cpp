// The SSE parser over arbitrary splits of the bytes (a network read may cut anywhere).

#include "workers/sse_parser.hpp"

#include <gtest/gtest.h>

namespace bl {
namespace {

std::vector<SseEvent> parse_in_pieces(std::string_view bytes, std::size_t piece) {
  SseParser p;
  std::vector<SseEvent> out;
  for (std::size_t i = 0; i < bytes.size(); i += piece) {
    EXPECT_TRUE(p.feed(bytes.substr(i, piece), &out).ok());
  }
  EXPECT_TRUE(p.finish(&out).ok());
  return out;
}

TEST(SseParser, EventsAndDataAcrossEverySplit) {
  const std::string stream =
      "event: message_start\r\ndata: {\"a\":1}\r\n\r\n"
      ": keep-alive comment\n\n"
      "data: first line\ndata:second line\n\n"
      "id: 7\nretry: 100\nevent: ping\ndata: {}\r\r"
      "data: [DONE]\n\n";
  for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
    auto events = parse_in_pieces(stream, piece);
    ASSERT_EQ(events.size(), 4u) << "piece " << piece;
    EXPECT_EQ(events[0].event, "message_start");
    EXPECT_EQ(events[0].data, "{\"a\":1}");
    EXPECT_EQ(events[1].event, "");
    EXPECT_EQ(events[1].data, "first line\nsecond line");
    EXPECT_EQ(events[2].event, "ping");
    EXPECT_EQ(events[2].data, "{}");
    EXPECT_EQ(events[3].data, "[DONE]");
  }
}

TEST(SseParser, LastEventWithoutBlankLineIsKeptAtTheEnd) {
  SseParser p;
  std::vector<SseEvent> out;
  ASSERT_TRUE(p.feed("data: one\n\ndata: two", &out).ok());
  EXPECT_EQ(out.size(), 1u);
  ASSERT_TRUE(p.finish(&out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].data, "two");
}

TEST(SseParser, EventWithoutDataIsNotDispatched) {
  SseParser p;
  std::vector<SseEvent> out;
  ASSERT_TRUE(p.feed("event: lonely\n\n\n\n", &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(SseParser, OversizedLineOrEventFailsAndStaysFailed) {
  SseParser p(64);
  std::vector<SseEvent> out;
  EXPECT_FALSE(p.feed(std::string(100, 'x'), &out).ok());
  EXPECT_FALSE(p.feed("data: fine\n\n", &out).ok());
  EXPECT_TRUE(out.empty());

  SseParser q(64);
  std::string many;
  for (int i = 0; i < 10; ++i)
    many += "data: 0123456789\n";
  EXPECT_FALSE(q.feed(many, &out).ok());
}

TEST(SseParser, BinaryGarbageNeverCrashes) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i)
    garbage.push_back(static_cast<char>((i * 131 + 7) % 256));
  SseParser p;
  std::vector<SseEvent> out;
  (void)p.feed(garbage, &out);
  (void)p.finish(&out);
  SUCCEED();
}

}  // namespace
}  // namespace bl
