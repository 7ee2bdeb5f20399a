#pragma once
// PostgreSQL access on libpqxx 6.4. libpqxx blocks and throws: it never runs on an event-loop
// thread, and its exceptions stop at this boundary (pg_call) and become Error values.

#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/result.hpp"

namespace bl {

using PgConnection = pqxx::connection;
using PgConnectionPtr = std::unique_ptr<pqxx::connection>;

// Opens a connection and sets the session limits every role relies on: a statement timeout
// and idle_in_transaction_session_timeout (a stuck transaction would hold back event readers).
Result<PgConnectionPtr> pg_connect(const std::string& url, int statement_timeout_ms = 30000);

// Maps a libpqxx exception to an Error: broken connections are kUnavailable, unique
// violations kConflict, serialization failures and deadlocks kUnavailable (retry), the rest
// kInternal. The SQL text is never included (it may hold parameters).
Error pg_error(const std::exception& e);

// Runs f and converts any exception into an Error.
template <class F>
auto pg_call(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return pg_error(e);
  }
}

// PostgreSQL array literals for unnest()-based multi-row statements (libpqxx 6.4 cannot bind
// arrays). Elements are quoted and escaped; std::nullopt-free.
std::string pg_text_array(const std::vector<std::string>& items);
std::string pg_uuid_array(const std::vector<Uuid>& items);
std::string pg_int_array(const std::vector<std::int64_t>& items);
// Arrays whose elements may be NULL.
std::string pg_nullable_text_array(const std::vector<std::optional<std::string>>& items);
std::string pg_nullable_int_array(const std::vector<std::optional<std::int64_t>>& items);

// A field's text without copying (libpqxx 6.4 has no field::view()).
inline std::string_view pg_view(const pqxx::field& f) {
  return {f.c_str(), f.size()};
}

// Parses a timestamptz column rendered as epoch milliseconds by the query
// (extract(epoch from x)*1000)::bigint is what callers select.
inline std::int64_t pg_ms(const pqxx::field& f) {
  return f.is_null() ? 0 : f.as<std::int64_t>();
}

}  // namespace bl
