#pragma once
// Per-conversation data keys (crypto-shredding). Conversation content in the read model is
// sealed under its conversation's own key; the key is stored wrapped with the installation's
// data keys in conversation_keys. Deleting a conversation destroys its key: every copy of the
// sealed messages (the table, its dead rows, WAL, backups) becomes unreadable at once.

#include <optional>
#include <string>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "core/pg.hpp"

namespace bl {

// The conversation's keyring (one active key), created when `create` and none exists yet.
// nullopt when the key was destroyed (or does not exist and create is false).
Result<std::optional<DataKeyring>> conversation_keyring(pqxx::transaction_base& tx,
                                                        const DataKeyring& installation,
                                                        const Uuid& conversation, bool create);

// Destroys the key for good (idempotent).
void destroy_conversation_key(pqxx::transaction_base& tx, const Uuid& conversation);

// Content as a table value {"sealed": box} under `ring`, bound to the conversation.
Result<std::string> seal_column(const DataKeyring& ring, std::string_view plaintext,
                                const Uuid& conversation);
Result<std::string> open_column(const DataKeyring& ring, std::string_view column,
                                const Uuid& conversation);

}  // namespace bl
