#pragma once
// The "conversations" projection, the only one that decrypts content. A job that names a
// conversation adds its request's messages (system messages aside) and later its result to
// that conversation, in the order of the jobs' submission. The first job names the
// conversation's workspace; jobs of any other workspace that name it are ignored. Messages are
// re-sealed under the conversation's own key (projections/conversation_keys.hpp); the
// conversation stream's events set title and metadata or delete it (messages gone, key
// destroyed). A rebuild reuses the keys, so a deleted conversation stays unreadable.

#include "core/crypto.hpp"
#include "projections/projection.hpp"

namespace bl {

class ConversationsProjection final : public Projection {
 public:
  explicit ConversationsProjection(const DataKeyring& ring) : ring_(ring) {}
  std::string_view name() const override { return "conversations"; }
  void apply(pqxx::transaction_base& tx, const std::vector<RecordedEvent>& events) override;
  std::vector<std::string> tables() const override {
    return {"conversations", "conversation_messages"};
  }

 private:
  const DataKeyring& ring_;
};

}  // namespace bl
