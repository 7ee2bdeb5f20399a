#include "core/json.hpp"

#include <rapidjson/error/en.h>

namespace bl {
namespace {

// Depth of the deepest nesting outside strings; stops counting once over the limit.
bool within_depth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

}  // namespace

Result<JsonDocument> parse_json(std::string_view text, JsonLimits limits) {
  if (!within_depth(text, limits.max_depth)) {
    return Error::invalid("JSON nesting is deeper than " + std::to_string(limits.max_depth));
  }
  JsonDocument doc;
  // Iterative parsing needs no recursion; without kParseStopWhenDoneFlag rapidjson rejects
  // anything but whitespace after the root value.
  constexpr unsigned kFlags =
      rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;
  doc.Parse<kFlags>(text.data(), text.size());
  if (doc.HasParseError()) {
    return Error::invalid(std::string("invalid JSON at byte ") +
                          std::to_string(doc.GetErrorOffset()) + ": " +
                          rapidjson::GetParseError_En(doc.GetParseError()));
  }
  return doc;
}

std::string to_json(const JsonValue& v) {
  JsonWriter w;
  w.value(v);
  return w.str();
}

const JsonValue* json_member(const JsonValue& obj, std::string_view name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(rapidjson::StringRef(name.data(), name.size()));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string_view> json_string(const JsonValue& obj, std::string_view name) {
  const JsonValue* v = json_member(obj, name);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return as_view(*v);
}

std::optional<std::int64_t> json_int(const JsonValue& obj, std::string_view name) {
  const JsonValue* v = json_member(obj, name);
  if (v == nullptr || !v->IsInt64()) return std::nullopt;
  return v->GetInt64();
}

std::optional<double> json_number(const JsonValue& obj, std::string_view name) {
  const JsonValue* v = json_member(obj, name);
  if (v == nullptr || !v->IsNumber()) return std::nullopt;
  return v->GetDouble();
}

std::optional<bool> json_bool(const JsonValue& obj, std::string_view name) {
  const JsonValue* v = json_member(obj, name);
  if (v == nullptr || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

}  // namespace bl
