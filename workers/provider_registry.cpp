#include "workers/openai_provider.hpp"
#include "workers/provider.hpp"

namespace bl {

const Provider* find_provider(std::string_view name) {
  static const OpenAiProvider openai;
  if (name == openai.name()) return &openai;
  return nullptr;
}

}  // namespace bl
