#pragma once
// Events of a conversation's own stream (stream type "conversation", stream id = the
// conversation id): ConversationUpdated (title and metadata, sealed: titles are content) and
// ConversationDeleted. Messages are not events of this stream: they come from the jobs that
// name the conversation.

#include <optional>
#include <string>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"

namespace bl {

inline constexpr std::string_view kConversationStreamType = "conversation";
inline constexpr std::string_view kConversationUpdated = "ConversationUpdated";
inline constexpr std::string_view kConversationDeleted = "ConversationDeleted";

struct ConversationUpdated {
  std::optional<std::string> title;          // plaintext; absent: unchanged
  std::optional<std::string> metadata_json;  // plaintext JSON object; absent: unchanged
};

Result<std::string> encode(const ConversationUpdated& e, const DataKeyring& ring,
                           const Uuid& conversation);
Result<ConversationUpdated> decode_conversation_updated(std::string_view data,
                                                        const DataKeyring& ring,
                                                        const Uuid& conversation);

}  // namespace bl
