#include "app/batch_input_file.hpp"

#include "core/json.hpp"

namespace bl {
namespace {

constexpr std::string_view kEndpoint = "/v1/chat/completions";

void set_string(JsonValue& object, const char* name, std::string_view value,
                JsonDocument::AllocatorType& a) {
  JsonValue v(value.data(), static_cast<rapidjson::SizeType>(value.size()), a);
  if (auto it = object.FindMember(name); it != object.MemberEnd()) {
    it->value = v;
  } else {
    object.AddMember(JsonValue(name, a), v, a);
  }
}

// A request body from a line that is not a batch line: every field but custom_id, with a
// "prompt" turned into one user message.
JsonValue body_from_line(JsonDocument& line, JsonDocument::AllocatorType& a) {
  JsonValue body(rapidjson::kObjectType);
  for (auto it = line.MemberBegin(); it != line.MemberEnd(); ++it) {
    const std::string_view name = as_view(it->name);
    if (name == "custom_id") continue;
    if (name == "prompt" && it->value.IsString()) {
      JsonValue message(rapidjson::kObjectType);
      message.AddMember("role", "user", a);
      message.AddMember("content", JsonValue(it->value, a), a);
      JsonValue messages(rapidjson::kArrayType);
      messages.PushBack(message, a);
      body.AddMember("messages", messages, a);
      continue;
    }
    body.AddMember(JsonValue(it->name, a), JsonValue(it->value, a), a);
  }
  return body;
}

}  // namespace

Result<BatchInputFile> to_batch_input(std::string_view content, const std::string& model) {
  BatchInputFile out;
  int line_number = 0;
  while (!content.empty()) {
    const std::size_t end = content.find('\n');
    std::string_view text = content.substr(0, end);
    content = end == std::string_view::npos ? std::string_view() : content.substr(end + 1);
    ++line_number;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto doc = parse_json(text);
    const std::string where = "line " + std::to_string(line_number);
    if (!doc.ok() || !doc->IsObject()) return Error::invalid(where + ": not a JSON object");
    auto& a = doc->GetAllocator();
    JsonDocument batch_line;
    batch_line.SetObject();
    auto& ba = batch_line.GetAllocator();
    std::string custom_id;
    if (const JsonValue* id = json_member(*doc, "custom_id"); id != nullptr && id->IsString()) {
      custom_id = std::string(as_view(*id));
    } else {
      custom_id = "line-" + std::to_string(line_number);
    }
    JsonValue body;
    if (JsonValue* given = doc->HasMember("body") ? &(*doc)["body"] : nullptr) {
      if (!given->IsObject()) return Error::invalid(where + ": body must be an object");
      body.CopyFrom(*given, ba);
    } else {
      JsonValue made = body_from_line(*doc, a);
      body.CopyFrom(made, ba);
    }
    if (!model.empty()) set_string(body, "model", model, ba);
    if (!body.HasMember("model")) return Error::invalid(where + ": no model (use --model)");
    if (!body.HasMember("messages")) return Error::invalid(where + ": no messages or prompt");
    batch_line.AddMember("custom_id", JsonValue(custom_id.c_str(), ba), ba);
    batch_line.AddMember("method", "POST", ba);
    batch_line.AddMember("url", JsonValue(kEndpoint.data(), ba), ba);
    batch_line.AddMember("body", body, ba);
    out.jsonl += to_json(batch_line);
    out.jsonl += '\n';
    ++out.requests;
  }
  if (out.requests == 0) return Error::invalid("the file has no requests");
  return out;
}

}  // namespace bl
