#pragma once
// Where secrets could leak to, read back whole for privacy tests: log files, a pg_dump of the
// test database, every Redis key under the test's prefix, and /metrics pages. A finding names
// the canary and the place, never more than that.

#include <string>
#include <vector>

#include "tests/support/test_env.hpp"

namespace bl::test {

struct Canary {
  std::string where;  // what it was planted in, e.g. "client_reference"
  std::string value;  // random, unmistakable
};

// A fresh canary for `where`: letters and digits only, so no encoding can change it.
Canary make_canary(const std::string& where);

struct LeakSource {
  std::string name;  // e.g. "log work-2.log", "pg_dump", "redis", "metrics :4711"
  std::string text;
};

// `pg_dump --data-only` of the database, as text.
LeakSource pg_dump_of(const TestDatabase& db);
// Every key matching prefix*: its name, DUMP (serialized) and its content read by type.
LeakSource redis_contents(const TestRedis& redis);
LeakSource file_contents(const std::string& path);
LeakSource metrics_page(const std::string& url);

// "<canary where> in <source name>" for every canary found in any source.
std::vector<std::string> find_leaks(const std::vector<Canary>& canaries,
                                    const std::vector<LeakSource>& sources);

}  // namespace bl::test
