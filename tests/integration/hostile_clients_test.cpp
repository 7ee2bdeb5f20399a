// Hostile clients against one ingest node: each attack in kAttacks runs while a well-behaved
// client of another tenant sends a normal request, which must succeed; the attacker gets a
// clear 4xx/413/429 in the error envelope (or its connection is closed), and the node's
// resident memory stays below a bound. A new attack is one entry in kAttacks.
//
// BL_HOSTILE_IDLE_CONNECTIONS (default 1000) sets the idle-connection attack's size;
// scripts/chaos runs it with 10000.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <thread>

#include "core/json.hpp"
#include "tests/support/pipeline.hpp"
#include "tests/support/raw_http.hpp"
#include "tests/support/tenants.hpp"

namespace bl {
namespace {

using std::chrono::milliseconds;

constexpr long kRssBoundKib = 1 << 20;  // 1 GiB: far above a healthy node, far below a leak

struct Arena {
  test::Pipeline& p;
  test::ApiClient attacker;
  test::ApiClient bystander;
  int ingest_pid;
};

// An attack checks what the attacker got and calls `during` while it is under way.
using Attack = std::function<void(Arena&, const std::function<void()>& during)>;

std::string error_code(const test::HttpResult& r) {
  auto doc = parse_json(r.body);
  if (!doc.ok() || !doc->IsObject() || !doc->HasMember("error")) return "";
  return std::string(json_string((*doc)["error"], "code").value_or(""));
}

std::string job_with_content(const std::string& content) {
  return R"({"model":"test-model","messages":[{"role":"user","content":")" + content + "\"}]}";
}

long rss_kib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

int idle_connection_count() {
  const char* v = std::getenv("BL_HOSTILE_IDLE_CONNECTIONS");
  return v != nullptr ? std::atoi(v) : 1000;
}

void oversize_headers(Arena& a, const std::function<void()>& during) {
  auto r = test::http("GET", a.attacker.url("/v1/jobs"), "",
                      {test::bearer(a.attacker.key), "X-Big: " + std::string(64 << 10, 'h')});
  EXPECT_GE(r.status, 400);
  EXPECT_LT(r.status, 500);
  during();
}

void oversize_body(Arena& a, const std::function<void()>& during) {
  // Above the route's limit (8 MiB), below the server's largest (uploads): our 413.
  auto r = a.attacker.post("/v1/jobs", std::string(9 << 20, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error_code(r), "request_too_large");
  during();
}

void deep_json(Arena& a, const std::function<void()>& during) {
  const int depth = 200000;
  auto r = a.attacker.post("/v1/jobs", std::string(depth, '[') + std::string(depth, ']'));
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(error_code(r).empty()) << r.body.substr(0, 200);
  auto nested = a.attacker.post(
      "/v1/jobs", R"({"model":"test-model","messages":[{"role":"user","content":"x"}],)"
                  R"("client_reference":)" +
                      std::string(5000, '[') + std::string(5000, ']') + "}");
  EXPECT_EQ(nested.status, 400);
  during();
}

void invalid_utf8(Arena& a, const std::function<void()>& during) {
  for (const std::string bad : {"\xff\xfe", "\xc3\x28", "\xed\xa0\x80", "\xf0\x28\x8c\x28"}) {
    auto r = a.attacker.post("/v1/jobs", job_with_content("a" + bad + "b"));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_TRUE(parse_json(r.body).ok()) << "the error itself is valid JSON";
  }
  during();
}

void slowloris(Arena& a, const std::function<void()>& during) {
  std::vector<std::unique_ptr<test::RawConnection>> slow;
  for (int i = 0; i < 200; ++i) {
    slow.push_back(std::make_unique<test::RawConnection>(a.p.ingest_port));
    slow.back()->send("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{");
  }
  during();
  // The node's idle timeout (1 s here) closes every dribbling connection.
  for (auto& c : slow) {
    c->send("\"");
    EXPECT_TRUE(c->closed_by_peer(milliseconds(30000)));
  }
}

void idle_connections(Arena& a, const std::function<void()>& during) {
  std::vector<std::unique_ptr<test::RawConnection>> idle;
  const int n = idle_connection_count();
  for (int i = 0; i < n; ++i) {
    idle.push_back(std::make_unique<test::RawConnection>(a.p.ingest_port));
    if (!idle.back()->connected()) {
      ADD_FAILURE() << "connect failed at " << i << " (ulimit -n?)";
      break;
    }
  }
  during();
}

void request_flood(Arena& a, const std::function<void()>& during) {
  std::atomic<int> limited{0};
  std::atomic<int> other{0};
  std::atomic<bool> enveloped{true};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto r = a.attacker.get("/v1/jobs?limit=1");
        if (r.status == 429) {
          ++limited;
          if (error_code(r).empty() || r.headers.count("retry-after") == 0) enveloped = false;
        } else if (r.status != 200) {
          ++other;
        }
      }
    });
  }
  during();
  for (auto& t : threads)
    t.join();
  EXPECT_GT(limited.load(), 0);
  EXPECT_EQ(other.load(), 0);
  EXPECT_TRUE(enveloped.load());
}

const std::pair<const char*, Attack> kAttacks[] = {
    {"oversize headers", oversize_headers},
    {"oversize body", oversize_body},
    {"deep JSON nesting", deep_json},
    {"invalid UTF-8", invalid_utf8},
    {"slowloris", slowloris},
    {"idle connections", idle_connections},
    {"request flood", request_flood},
};

TEST(HostileClients, EachAttackIsRefusedWhileOthersAreServed) {
  test::PipelineOptions options;
  options.start_roles = false;
  test::Pipeline p(options);
  test::RoleEnv edge;
  edge.set("BL_HTTP_TIMEOUT_S", "1");
  const int pid = p.start_role("ingest", edge).pid();
  const auto attacker = test::make_tenant(p.env, "attacker", 60);
  const auto bystander = test::make_tenant(p.env, "bystander");
  Arena arena{p, {p.ingest_port, attacker.client_key}, {p.ingest_port, bystander.client_key}, pid};
  ASSERT_TRUE(test::wait_until([&] {
    return arena.attacker.get("/v1/jobs").status == 200 &&
           arena.bystander.get("/v1/jobs").status == 200;
  }));
  int job = 0;
  const auto served = [&] {
    auto r = arena.bystander.post("/v1/jobs", job_with_content("ok " + std::to_string(job++)));
    EXPECT_EQ(r.status, 202) << r.body;
  };
  for (const auto& [name, attack] : kAttacks) {
    SCOPED_TRACE(name);
    attack(arena, served);
    EXPECT_EQ(arena.bystander.get("/v1/jobs?limit=1").status, 200);
    const long rss = rss_kib(pid);
    EXPECT_GT(rss, 0);
    EXPECT_LT(rss, kRssBoundKib);
  }
}

}  // namespace
}  // namespace bl
