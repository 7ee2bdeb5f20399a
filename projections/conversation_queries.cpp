#include "projections/conversation_queries.hpp"

#include <charconv>

#include "projections/conversation_keys.hpp"

namespace bl {
namespace {

constexpr const char* kConversationColumns =
    "conversation_id::text, org_id, workspace_id, title::text, metadata::text, message_count,"
    " (extract(epoch FROM created_at) * 1000)::bigint,"
    " (extract(epoch FROM updated_at) * 1000)::bigint";

Result<ConversationRow> to_row(pqxx::transaction_base& tx, const DataKeyring& installation,
                               const pqxx::row& r) {
  ConversationRow c;
  c.id = Uuid::parse(pg_view(r[0])).value_or(Uuid{});
  c.org_id = r[1].as<std::string>();
  c.workspace_id = r[2].as<std::string>();
  c.message_count = r[5].as<int>();
  c.created_ms = r[6].as<std::int64_t>();
  c.updated_ms = r[7].as<std::int64_t>();
  if (r[3].is_null() && r[4].is_null()) return c;
  auto ring = conversation_keyring(tx, installation, c.id, false);
  if (!ring.ok()) return ring.error();
  if (!*ring) return c;  // key destroyed: nothing readable
  for (auto [i, out] : {std::pair{3, &c.title}, std::pair{4, &c.metadata_json}}) {
    if (r[i].is_null()) continue;
    auto text = open_column(**ring, pg_view(r[i]), c.id);
    if (!text.ok()) return text.error();
    *out = std::move(*text);
  }
  return c;
}

}  // namespace

std::string message_api_id(const MessageKey& key) {
  return "msg_" + std::to_string(key.job_position) + "_" + std::to_string(key.part) + "_" +
         std::to_string(key.idx);
}

std::optional<MessageKey> parse_message_api_id(std::string_view id) {
  if (id.substr(0, 4) != "msg_") return std::nullopt;
  id.remove_prefix(4);
  std::int64_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), parts[i]);
    if (ec != std::errc() || parts[i] < 0) return std::nullopt;
    id.remove_prefix(static_cast<std::size_t>(p - id.data()));
    if (i < 2) {
      if (id.empty() || id[0] != '_') return std::nullopt;
      id.remove_prefix(1);
    }
  }
  if (!id.empty() || parts[1] > 1 || parts[2] > 1000000) return std::nullopt;
  return MessageKey{parts[0], static_cast<int>(parts[1]), static_cast<int>(parts[2])};
}

Result<std::optional<ConversationRow>> find_conversation(pqxx::transaction_base& tx,
                                                         const DataKeyring& installation,
                                                         const Uuid& id,
                                                         const std::string& workspace_id) {
  const auto rows = tx.exec_params(std::string("SELECT ") + kConversationColumns +
                                       " FROM conversations WHERE conversation_id = $1::uuid"
                                       " AND workspace_id = $2 AND deleted_at IS NULL",
                                   id.to_string(), workspace_id);
  if (rows.empty()) return std::optional<ConversationRow>();
  auto row = to_row(tx, installation, rows[0]);
  if (!row.ok()) return row.error();
  return std::optional<ConversationRow>(std::move(*row));
}

Result<std::vector<ConversationRow>> list_conversations(pqxx::transaction_base& tx,
                                                        const DataKeyring& installation,
                                                        const std::string& workspace_id,
                                                        std::optional<Uuid> after, int limit) {
  const std::optional<std::string> cursor =
      after ? std::optional(after->to_string()) : std::nullopt;
  const auto rows = tx.exec_params(
      std::string("SELECT ") + kConversationColumns +
          " FROM conversations WHERE workspace_id = $1 AND deleted_at IS NULL"
          " AND ($2::uuid IS NULL OR (created_at, conversation_id) < (SELECT created_at,"
          " conversation_id FROM conversations WHERE conversation_id = $2::uuid))"
          " ORDER BY created_at DESC, conversation_id DESC LIMIT $3",
      workspace_id, cursor, limit);
  std::vector<ConversationRow> out;
  for (const auto& r : rows) {
    auto row = to_row(tx, installation, r);
    if (!row.ok()) return row.error();
    out.push_back(std::move(*row));
  }
  return out;
}

Result<std::vector<ConversationMessage>> conversation_messages(pqxx::transaction_base& tx,
                                                               const DataKeyring& installation,
                                                               const Uuid& id,
                                                               std::optional<MessageKey> after,
                                                               int limit) {
  auto ring = conversation_keyring(tx, installation, id, false);
  if (!ring.ok()) return ring.error();
  std::vector<ConversationMessage> out;
  if (!*ring) return out;
  const MessageKey from = after.value_or(MessageKey{-1, 0, 0});
  const auto rows = tx.exec_params(
      "SELECT job_position, part, idx, job_id::text, role, content::text,"
      " (extract(epoch FROM created_at) * 1000)::bigint FROM conversation_messages"
      " WHERE conversation_id = $1::uuid AND (job_position, part, idx) > ($2, $3, $4)"
      " ORDER BY job_position, part, idx LIMIT $5",
      id.to_string(), from.job_position, from.part, from.idx, limit);
  for (const auto& r : rows) {
    ConversationMessage m;
    m.key = {r[0].as<std::int64_t>(), r[1].as<int>(), r[2].as<int>()};
    m.job_id = Uuid::parse(pg_view(r[3])).value_or(Uuid{});
    m.role = r[4].as<std::string>();
    auto text = open_column(**ring, pg_view(r[5]), id);
    if (!text.ok()) return text.error();
    m.message_json = std::move(*text);
    m.created_ms = r[6].as<std::int64_t>();
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace bl
