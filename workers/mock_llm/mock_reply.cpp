#include "workers/mock_llm/mock_reply.hpp"

namespace bl {

std::string mock_reply_text(std::string_view /*model*/, const std::vector<MockMessage>& messages,
                            std::uint64_t /*seed*/) {
  std::string last_user;
  for (const auto& m : messages) {
    if (m.role == "user") last_user = m.text;
  }
  return "Echo: " + last_user;
}

}  // namespace bl
