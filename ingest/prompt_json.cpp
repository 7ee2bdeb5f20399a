#include "ingest/prompt_json.hpp"

namespace bl {

void write_prompt_version(JsonWriter& w, const PromptRecord& prompt, const PromptVersion& v) {
  w.begin_object();
  w.field("object", "prompt.version");
  w.field("prompt_id", to_api_id(id_prefix::kPrompt, prompt.id));
  w.field("version", v.version).field("state", v.state).field("content", v.content);
  w.key("source");
  if (v.source_type.empty()) {
    w.null();
  } else {
    w.begin_object().field("type", v.source_type).field("id", v.source_id).end_object();
  }
  w.field("created_at", v.created_ms / 1000);
  w.end_object();
}

void write_prompt(JsonWriter& w, const PromptRecord& prompt) {
  w.begin_object();
  w.field("id", to_api_id(id_prefix::kPrompt, prompt.id));
  w.field("object", "prompt").field("name", prompt.name);
  w.field("created_at", prompt.created_ms / 1000);
  w.field("latest_version", prompt.versions.empty() ? 0 : prompt.versions.back().version);
  w.key("versions").begin_array();
  for (const auto& v : prompt.versions)
    write_prompt_version(w, prompt, v);
  w.end_array();
  w.end_object();
}

std::string prompt_json(const PromptRecord& prompt) {
  JsonWriter w;
  write_prompt(w, prompt);
  return w.str();
}

}  // namespace bl
