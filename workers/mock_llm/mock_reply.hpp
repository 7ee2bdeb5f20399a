#pragma once
// What the mock LLM answers: the one function that produces a reply's text, whatever the wire
// format (cross-team contract 1). The default is "Echo: " + the last user message, which the
// privacy tests rely on to find a prompt's canary in the output.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bl {

// A chat message reduced to what the mock looks at: role (system, user, assistant) and text.
struct MockMessage {
  std::string role;
  std::string text;
};

std::string mock_reply_text(std::string_view model, const std::vector<MockMessage>& messages,
                            std::uint64_t seed);

}  // namespace bl
