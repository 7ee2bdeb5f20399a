#pragma once
// Queries of the conversations read model. Content is opened with each conversation's own key;
// a deleted conversation, or one of another workspace, is not found.

#include <optional>
#include <string>
#include <vector>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/pg.hpp"

namespace bl {

struct ConversationRow {
  Uuid id;
  std::string org_id;
  std::string workspace_id;
  std::optional<std::string> title;
  std::optional<std::string> metadata_json;
  int message_count = 0;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

// A message's place in its conversation, also its cursor for paging.
struct MessageKey {
  std::int64_t job_position = 0;
  int part = 0;
  int idx = 0;
  auto operator<=>(const MessageKey&) const = default;
};
std::string message_api_id(const MessageKey& key);  // "msg_<position>_<part>_<idx>"
std::optional<MessageKey> parse_message_api_id(std::string_view id);

struct ConversationMessage {
  MessageKey key;
  Uuid job_id;
  std::string role;
  std::string message_json;  // the message object as sent or received
  std::int64_t created_ms = 0;
};

Result<std::optional<ConversationRow>> find_conversation(pqxx::transaction_base& tx,
                                                         const DataKeyring& installation,
                                                         const Uuid& id,
                                                         const std::string& workspace_id);

// Newest first; `after` is the last conversation of the previous page.
Result<std::vector<ConversationRow>> list_conversations(pqxx::transaction_base& tx,
                                                        const DataKeyring& installation,
                                                        const std::string& workspace_id,
                                                        std::optional<Uuid> after, int limit);

// Messages in order, after `after`; the conversation must have been found first.
Result<std::vector<ConversationMessage>> conversation_messages(pqxx::transaction_base& tx,
                                                               const DataKeyring& installation,
                                                               const Uuid& id,
                                                               std::optional<MessageKey> after,
                                                               int limit);

}  // namespace bl
