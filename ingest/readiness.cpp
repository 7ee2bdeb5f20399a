#include "ingest/readiness.hpp"

#include <atomic>

#include "core/api_error.hpp"
#include "core/json.hpp"

namespace bl {
namespace {

// Collects the two probes' outcomes and answers once both are in.
struct Probe {
  explicit Probe(Responder r) : responder(std::move(r)) {}
  Responder responder;
  std::atomic<int> remaining{2};
  std::atomic<bool> database{false};
  std::atomic<bool> redis{false};

  void done() {
    if (--remaining != 0) return;
    if (database && redis) {
      return responder.send(
          HttpResponse::json(200, R"({"status":"ready","postgresql":"ok","redis":"ok"})"));
    }
    JsonWriter details;
    details.begin_object()
        .field("postgresql", database ? "ok" : "unreachable")
        .field("redis", redis ? "ok" : "unreachable")
        .end_object();
    responder.send(
        with_retry_after(error_response(ApiError{503, "not_ready", "a dependency is unreachable",
                                                 std::nullopt, details.str()}),
                         1));
  }
};

}  // namespace

void add_readiness_route(Router& router, PgPool& pool, RedisThread& redis) {
  router.add("GET", "/readyz", [&pool, &redis](HttpRequest&, Responder r) {
    auto probe = std::make_shared<Probe>(r);
    const bool queued = pool.submit([probe](pqxx::connection* conn) {
      probe->database = conn != nullptr && pg_call([&]() -> Status {
                                             pqxx::nontransaction tx(*conn);
                                             tx.exec("SELECT 1");
                                             return {};
                                           }).ok();
      probe->done();
    });
    if (!queued) probe->done();
    redis.command({"PING"}, [probe](Result<RedisReply> reply) {
      probe->redis = reply.ok() && !reply->is_error();
      probe->done();
    });
  });
}

}  // namespace bl
