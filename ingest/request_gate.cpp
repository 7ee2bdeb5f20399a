#include "ingest/request_gate.hpp"

#include <strings.h>

#include "core/api_error.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "ingest/idempotency.hpp"
#include "ingest/message_batches_api.hpp"
#include "ingest/pool_replies.hpp"

namespace bl {
namespace {

struct GateMetrics {
  MetricsRegistry& r = MetricsRegistry::global();
  Counter& unauthenticated =
      r.counter("bl_ingest_auth_rejected_total", "requests refused by authentication");
  Counter& replays = r.counter("bl_ingest_idempotent_replays_total",
                               "POSTs answered from an Idempotency-Key record");
  Counter& conflicts = r.counter("bl_ingest_idempotency_conflicts_total",
                                 "POSTs refused: Idempotency-Key reused or in use");
};

GateMetrics& metrics() {
  static GateMetrics m;
  return m;
}

HttpResponse auth_failure(const Error& e) {
  if (e.code != ErrorCode::kUnauthenticated) return database_error_response(e);
  HttpResponse r = error_response(401, "invalid_api_key", e.message);
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

// The refusal in the error shape of the API the route belongs to: Anthropic's for the Message
// Batches API, the project's envelope (OpenAI's superset) elsewhere.
void refuse(const Responder& responder, const std::string& route, HttpResponse r) {
  if (route.rfind("/v1/messages", 0) == 0) {
    auto doc = parse_json(r.body);
    const JsonValue* error = doc.ok() ? json_member(*doc, "error") : nullptr;
    HttpResponse shaped = anthropic_error(
        r.status, error ? json_string(*error, "message").value_or("") : "", responder.request_id());
    for (auto& [name, value] : r.headers) {
      if (strcasecmp(name.c_str(), "content-type") != 0) shaped.headers.emplace_back(name, value);
    }
    r = std::move(shaped);
  }
  responder.send(std::move(r));
}

// A first request that ends like this did not do its work: let a retry run it again.
bool releases_key(int status) {
  return status >= 500 || status == 429;
}

}  // namespace

void RequestGate::protect(Router& router) {
  router.wrap([this](const std::string&, const std::string& pattern,
                     HttpHandler inner) -> HttpHandler {
    if (pattern.rfind("/v1/", 0) != 0) return inner;
    auto next = std::make_shared<const HttpHandler>(std::move(inner));
    return [this, next](HttpRequest& request, Responder responder) {
      auto caller = auth_.identify(request);
      if (!caller.ok()) {
        metrics().unauthenticated.inc();
        return refuse(responder, request.route, auth_failure(caller.error()));
      }
      auto shared = std::make_shared<HttpRequest>(std::move(request));
      if (!caller->rate_limited) {
        return after_rate_limit(std::move(shared), std::move(caller->principal), next, responder);
      }
      limiter_.check(
          caller->principal.key_id, caller->rate_limit_rpm,
          [this, shared, principal = caller->principal, next, responder](RateDecision d) {
            responder.on_loop([this, shared, principal, next, responder, d] {
              if (!d.allowed) {
                return refuse(
                    responder, shared->route,
                    with_retry_after(error_response(429, "rate_limit_exceeded",
                                                    "too many requests for this API key; retry "
                                                    "after the number of seconds in Retry-After"),
                                     d.retry_after_s));
              }
              after_rate_limit(shared, principal, next, responder);
            });
          });
    };
  });
}

void RequestGate::after_rate_limit(std::shared_ptr<HttpRequest> request, Principal caller,
                                   std::shared_ptr<const HttpHandler> next, Responder responder) {
  auto key = idempotency_key_of(*request, caller);
  if (!key.ok()) {
    return refuse(
        responder, request->route,
        error_response(400, "invalid_idempotency_key", key.error().message, "Idempotency-Key"));
  }
  if (!key->has_value()) return (*next)(*request, responder);
  IdempotencyKey k = std::move(**key);
  auto claim_task = [this, request, next, responder, k](pqxx::connection* conn) {
    if (conn == nullptr) {
      return refuse(responder, request->route,
                    database_error_response(Error::unavailable("database unavailable")));
    }
    auto claim = claim_idempotency_key(*conn, k, request_fingerprint(*request), config_.keyring);
    responder.on_loop([this, request, next, responder, k, claim = std::move(claim)]() mutable {
      if (!claim.ok()) {
        return refuse(responder, request->route, database_error_response(claim.error()));
      }
      switch (claim->state) {
        case IdempotencyState::kReplay:
          metrics().replays.inc();
          return responder.send(std::move(claim->replay));
        case IdempotencyState::kMismatch:
          metrics().conflicts.inc();
          return refuse(responder, request->route,
                        error_response(409, "idempotency_key_reused",
                                       "this Idempotency-Key was used with a different request",
                                       "Idempotency-Key"));
        case IdempotencyState::kInProgress:
          metrics().conflicts.inc();
          return refuse(responder, request->route,
                        with_retry_after(
                            error_response(409, "idempotency_key_in_use",
                                           "a request with this Idempotency-Key is still running",
                                           "Idempotency-Key"),
                            1));
        case IdempotencyState::kFirst:
          break;
      }
      (*next)(*request, responder.intercept([this, k, responder](HttpResponse r) {
        auto answer = std::make_shared<HttpResponse>(std::move(r));
        const bool queued = pool_.submit([this, k, responder, answer](pqxx::connection* conn) {
          auto s = conn == nullptr ? Status(Error::unavailable("database unavailable"))
                                   : pg_call([&]() -> Status {
                                       pqxx::work tx(*conn);
                                       if (releases_key(answer->status)) {
                                         release_idempotency_key(tx, k);
                                       } else if (auto st = record_idempotent_response(
                                                      tx, k, *answer, config_.keyring);
                                                  !st.ok()) {
                                         return st;
                                       }
                                       tx.commit();
                                       return {};
                                     });
          if (!s.ok()) {
            log::warn("idempotency.record_failed",
                      {{"request_id", log::id(responder.request_id())},
                       {"error", log::code(error_code_name(s.error().code))}});
          }
          responder.send(std::move(*answer));
        });
        if (!queued) responder.send(std::move(*answer));
      }));
    });
  };
  if (!pool_.submit(std::move(claim_task))) refuse(responder, request->route, busy_response());
}

}  // namespace bl
