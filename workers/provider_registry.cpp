#include "workers/anthropic_provider.hpp"
#include "workers/azure_provider.hpp"
#include "workers/gemini_provider.hpp"
#include "workers/openai_provider.hpp"
#include "workers/provider.hpp"

namespace bl {

const Provider* find_provider(std::string_view name) {
  static const OpenAiProvider openai;
  static const AzureProvider azure;
  static const AnthropicProvider anthropic;
  static const GeminiProvider gemini;
  for (const Provider* p :
       std::initializer_list<const Provider*>{&openai, &azure, &anthropic, &gemini}) {
    if (name == p->name()) return p;
  }
  return nullptr;
}

}  // namespace bl
