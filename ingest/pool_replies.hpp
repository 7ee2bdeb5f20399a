#pragma once
// Answers shared by the handlers that hand work to the PostgreSQL pool.

#include <chrono>
#include <cstdint>

#include "core/api_error.hpp"
#include "core/pg_pool.hpp"

namespace bl {

// 503 with Retry-After: the pool's queue is full.
inline HttpResponse busy_response() {
  HttpResponse r = error_response(503, "overloaded", "the server is busy; retry shortly");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// The envelope for a database failure; 503s carry Retry-After.
inline HttpResponse database_error_response(const Error& e) {
  HttpResponse r = error_response(e);
  if (r.status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

// Runs task on the pool, or answers 503 when the pool is full. The task gets nullptr when the
// database is unreachable.
template <class Task>
void submit_or_busy(PgPool& pool, const Responder& responder, Task task) {
  if (!pool.submit(std::move(task))) responder.send(busy_response());
}

// Runs task(conn) on the pool; answers 503 itself when the pool is full or the database is
// unreachable.
template <class Task>
void run_on_pool(PgPool& pool, const Responder& responder, Task task) {
  submit_or_busy(pool, responder,
                 [responder, task = std::move(task)](pqxx::connection* conn) mutable {
                   if (conn == nullptr) {
                     return responder.send(
                         database_error_response(Error::unavailable("database unavailable")));
                   }
                   task(*conn);
                 });
}

inline std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace bl
