#include "outbox/stream_trim.hpp"

#include <charconv>

namespace bl {
namespace {

// Value of `field` in a flat [field, value, ...] reply.
const RedisReply* field_of(const RedisReply& flat, std::string_view field) {
  for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    if (flat.elements[i].str == field) return &flat.elements[i + 1];
  }
  return nullptr;
}

}  // namespace

std::string next_stream_id(const std::string& id) {
  const auto dash = id.find('-');
  if (dash == std::string::npos) return {};
  std::uint64_t seq = 0;
  const char* first = id.data() + dash + 1;
  const char* last = id.data() + id.size();
  auto [p, ec] = std::from_chars(first, last, seq);
  if (ec != std::errc() || p != last || dash == 0) return {};
  return id.substr(0, dash + 1) + std::to_string(seq + 1);
}

Result<long long> trim_acknowledged(RedisClient& redis, const std::string& stream,
                                    const std::string& group) {
  auto groups = redis.command({"XINFO", "GROUPS", stream});
  if (!groups.ok()) return groups.error();
  if (groups->is_error()) return 0;  // no such stream
  std::string last_delivered;
  for (const auto& g : groups->elements) {
    const RedisReply* name = field_of(g, "name");
    const RedisReply* last = field_of(g, "last-delivered-id");
    if (name != nullptr && last != nullptr && name->str == group) last_delivered = last->str;
  }
  if (last_delivered.empty() || last_delivered == "0-0") return 0;
  auto pending = redis.command({"XPENDING", stream, group});
  if (!pending.ok()) return pending.error();
  if (pending->is_error() || pending->elements.size() < 2) return 0;
  std::string min_id;
  if (pending->elements[0].integer > 0) {
    min_id = pending->elements[1].str;  // the smallest pending id
  } else {
    min_id = next_stream_id(last_delivered);
  }
  if (min_id.empty()) return 0;
  auto trimmed = redis.command({"XTRIM", stream, "MINID", min_id});
  if (!trimmed.ok()) return trimmed.error();
  return trimmed->is_error() ? 0 : trimmed->integer;
}

}  // namespace bl
