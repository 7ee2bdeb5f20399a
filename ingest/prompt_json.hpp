#pragma once
// The prompt object: {"id","object":"prompt","name","created_at","latest_version",
// "versions":[{"version","state","content","source":{"type","id"}|null,"created_at"}]}.

#include <string>

#include "core/json.hpp"
#include "workers/optimizer/prompt_store.hpp"

namespace bl {

void write_prompt_version(JsonWriter& w, const PromptRecord& prompt, const PromptVersion& v);
void write_prompt(JsonWriter& w, const PromptRecord& prompt);
std::string prompt_json(const PromptRecord& prompt);

}  // namespace bl
