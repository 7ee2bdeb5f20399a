#include "projections/conversation_keys.hpp"

#include "core/sealed_json.hpp"

namespace bl {
namespace {

constexpr const char* kKeyId = "conversation";

Result<DataKeyring> keyring_of(std::string key) {
  DataKeyring ring;
  if (auto s = ring.add_key(kKeyId, std::move(key)); !s.ok()) return s.error();
  if (auto s = ring.set_active(kKeyId); !s.ok()) return s.error();
  return ring;
}

}  // namespace

Result<std::string> seal_column(const DataKeyring& ring, std::string_view plaintext,
                                const Uuid& conversation) {
  JsonWriter w;
  w.begin_object();
  if (auto s = write_sealed(w, "sealed", ring, plaintext, conversation); !s.ok()) return s.error();
  w.end_object();
  return w.str();
}

Result<std::string> open_column(const DataKeyring& ring, std::string_view column,
                                const Uuid& conversation) {
  auto doc = parse_json(column);
  if (!doc.ok() || !doc->IsObject()) return Error::internal("sealed column is not an object");
  const JsonValue* box = json_member(*doc, "sealed");
  if (box == nullptr) return Error::internal("sealed column has no box");
  return open_sealed(*box, ring, conversation);
}

Result<std::optional<DataKeyring>> conversation_keyring(pqxx::transaction_base& tx,
                                                        const DataKeyring& installation,
                                                        const Uuid& conversation, bool create) {
  const std::string id = conversation.to_string();
  auto rows = tx.exec_params(
      "SELECT wrapped_key::text FROM conversation_keys WHERE conversation_id = $1::uuid", id);
  if (rows.empty() && create) {
    auto wrapped = seal_column(installation, random_bytes(DataKeyring::kKeyBytes), conversation);
    if (!wrapped.ok()) return wrapped.error();
    tx.exec_params(
        "INSERT INTO conversation_keys (conversation_id, wrapped_key) VALUES ($1::uuid, $2::jsonb)"
        " ON CONFLICT (conversation_id) DO NOTHING",
        id, *wrapped);
    rows = tx.exec_params(
        "SELECT wrapped_key::text FROM conversation_keys WHERE conversation_id = $1::uuid", id);
  }
  if (rows.empty() || rows[0][0].is_null()) return std::optional<DataKeyring>();
  auto key = open_column(installation, pg_view(rows[0][0]), conversation);
  if (!key.ok()) return key.error();
  auto ring = keyring_of(std::move(*key));
  if (!ring.ok()) return ring.error();
  return std::optional<DataKeyring>(std::move(*ring));
}

void destroy_conversation_key(pqxx::transaction_base& tx, const Uuid& conversation) {
  tx.exec_params(
      "INSERT INTO conversation_keys (conversation_id, wrapped_key, destroyed_at)"
      " VALUES ($1::uuid, NULL, now()) ON CONFLICT (conversation_id) DO UPDATE"
      " SET wrapped_key = NULL, destroyed_at = coalesce(conversation_keys.destroyed_at, now())",
      conversation.to_string());
}

}  // namespace bl
