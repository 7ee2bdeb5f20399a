#include "tests/support/leak_scan.hpp"

#include "core/crypto.hpp"

namespace bl::test {
namespace {

// Content of one key read by its type, so compressed DUMP payloads are also seen in clear.
std::string read_by_type(RedisClient& r, const std::string& key) {
  auto type = r.command({"TYPE", key});
  if (!type.ok()) return "";
  const std::string& t = type->str;
  RedisArgs args;
  if (t == "string") args = {"GET", key};
  if (t == "hash") args = {"HGETALL", key};
  if (t == "list") args = {"LRANGE", key, "0", "-1"};
  if (t == "set") args = {"SMEMBERS", key};
  if (t == "zset") args = {"ZRANGE", key, "0", "-1", "WITHSCORES"};
  if (t == "stream") args = {"XRANGE", key, "-", "+"};
  if (args.empty()) return "";
  auto reply = r.command(args);
  if (!reply.ok()) return "";
  std::string out;
  std::vector<const RedisReply*> todo{&*reply};
  while (!todo.empty()) {
    const RedisReply* x = todo.back();
    todo.pop_back();
    out += x->str + "\n";
    for (const auto& e : x->elements)
      todo.push_back(&e);
  }
  return out;
}

}  // namespace

Canary make_canary(const std::string& where) {
  return Canary{where, "CANARY" + hex_encode(random_bytes(8)) + "Z"};
}

LeakSource pg_dump_of(const TestDatabase& db) {
  return LeakSource{"pg_dump", run_command("/usr/lib/postgresql/15/bin/pg_dump --data-only '" +
                                           db.url() + "' 2>/dev/null")};
}

LeakSource redis_contents(const TestRedis& redis) {
  LeakSource out{"redis", ""};
  auto r = redis.connect();
  std::string cursor = "0";
  do {
    auto page = r->command({"SCAN", cursor, "MATCH", redis.prefix() + "*", "COUNT", "1000"});
    if (!page.ok() || page->elements.size() != 2) break;
    cursor = page->elements[0].str;
    for (const auto& key : page->elements[1].elements) {
      out.text += key.str + "\n";
      if (auto dump = r->command({"DUMP", key.str}); dump.ok()) out.text += dump->str + "\n";
      out.text += read_by_type(*r, key.str);
    }
  } while (cursor != "0");
  return out;
}

LeakSource file_contents(const std::string& path) {
  return LeakSource{"file " + path, read_file(path)};
}

LeakSource metrics_page(const std::string& url) {
  return LeakSource{"metrics " + url, http("GET", url).body};
}

std::vector<std::string> find_leaks(const std::vector<Canary>& canaries,
                                    const std::vector<LeakSource>& sources) {
  std::vector<std::string> found;
  for (const auto& s : sources) {
    for (const auto& c : canaries) {
      if (s.text.find(c.value) != std::string::npos) found.push_back(c.where + " in " + s.name);
    }
  }
  return found;
}

}  // namespace bl::test
