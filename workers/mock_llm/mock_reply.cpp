#include "workers/mock_llm/mock_reply.hpp"

#include "workers/mock_llm/mock_task.hpp"

namespace bl {

std::string mock_reply_text(std::string_view model, const std::vector<MockMessage>& messages,
                            std::uint64_t /*seed*/) {
  std::string last_user, system;
  for (const auto& m : messages) {
    if (m.role == "user") last_user = m.text;
    if (m.role == "system") system += m.text;
  }
  if (auto task = mock_task_reply(model, system, last_user)) return *task;
  return "Echo: " + last_user;
}

}  // namespace bl
