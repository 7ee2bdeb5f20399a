#include "core/pg.hpp"

namespace bl {

Result<PgConnectionPtr> pg_connect(const std::string& url, int statement_timeout_ms) {
  try {
    auto c = std::make_unique<pqxx::connection>(url);
    pqxx::nontransaction tx(*c);
    tx.exec("SET idle_in_transaction_session_timeout = '60s'");
    tx.exec("SET statement_timeout = " + std::to_string(statement_timeout_ms));
    tx.exec("SET lock_timeout = '30s'");
    return c;
  } catch (const std::exception& e) {
    return pg_error(e);
  }
}

Error pg_error(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return {ErrorCode::kUnavailable, "database connection lost"};
  }
  if (dynamic_cast<const pqxx::unique_violation*>(&e) != nullptr) {
    return {ErrorCode::kConflict, "unique constraint violated"};
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) {
    return {ErrorCode::kUnavailable, "transaction rolled back by the database; retry"};
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return {ErrorCode::kUnavailable, "commit outcome unknown"};
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    if (state == "57014") return {ErrorCode::kTimeout, "database statement timeout"};
    if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P03") {
      return {ErrorCode::kUnavailable, "database unavailable (" + state + ")"};
    }
    return {ErrorCode::kInternal, "database error " + state};
  }
  return {ErrorCode::kInternal, "database client error"};
}

std::string pg_text_array(const std::vector<std::string>& items) {
  std::size_t total = 2;
  for (const auto& s : items)
    total += s.size() + 3;
  std::string out;
  out.reserve(total + total / 8);
  out.push_back('{');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::string pg_nullable_text_array(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    if (!items[i]) {
      out += "NULL";
      continue;
    }
    out.push_back('"');
    for (char c : *items[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::string pg_nullable_int_array(const std::vector<std::optional<std::int64_t>>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += items[i] ? std::to_string(*items[i]) : std::string("NULL");
  }
  out.push_back('}');
  return out;
}

std::string pg_uuid_array(const std::vector<Uuid>& items) {
  std::string out;
  out.reserve(items.size() * 37 + 2);
  out.push_back('{');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += items[i].to_string();
  }
  out.push_back('}');
  return out;
}

std::string pg_int_array(const std::vector<std::int64_t>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += std::to_string(items[i]);
  }
  out.push_back('}');
  return out;
}

}  // namespace bl
