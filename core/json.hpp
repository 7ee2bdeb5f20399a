#pragma once
// One JSON writer and one parser for the whole project (STYLE.md rule 8), both on rapidjson.
// The parser refuses documents nested deeper than a limit before rapidjson sees them, so
// hostile input cannot exhaust the stack.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bl {

using JsonValue = rapidjson::Value;
using JsonDocument = rapidjson::Document;

class JsonWriter {
 public:
  JsonWriter() : writer_(buffer_) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& begin_object() { return check(writer_.StartObject()); }
  JsonWriter& end_object() { return check(writer_.EndObject()); }
  JsonWriter& begin_array() { return check(writer_.StartArray()); }
  JsonWriter& end_array() { return check(writer_.EndArray()); }
  JsonWriter& key(std::string_view k) {
    return check(writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())));
  }
  JsonWriter& value(std::string_view v) {
    return check(writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size())));
  }
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(const std::string& v) { return value(std::string_view(v)); }
  JsonWriter& value(bool v) { return check(writer_.Bool(v)); }
  JsonWriter& value(int v) { return check(writer_.Int(v)); }
  JsonWriter& value(std::int64_t v) { return check(writer_.Int64(v)); }
  JsonWriter& value(std::uint64_t v) { return check(writer_.Uint64(v)); }
  JsonWriter& value(double v) { return check(writer_.Double(v)); }
  JsonWriter& null() { return check(writer_.Null()); }
  // Inserts an already serialized JSON value (the caller vouches that it is valid JSON).
  JsonWriter& raw(std::string_view json) {
    return check(writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType));
  }
  // Writes any rapidjson value (a parsed sub-document).
  JsonWriter& value(const JsonValue& v) { return check(v.Accept(writer_)); }

  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  JsonWriter& null_field(std::string_view k) {
    key(k);
    return null();
  }
  template <class T>
  JsonWriter& optional_field(std::string_view k, const std::optional<T>& v) {
    key(k);
    return v ? value(*v) : null();
  }

  std::string_view view() const { return {buffer_.GetString(), buffer_.GetSize()}; }
  std::string str() const { return std::string(view()); }

 private:
  JsonWriter& check(bool ok) {
    // rapidjson only returns false for invalid surrogate pairs in input strings; the
    // parser has already rejected those, so this is a programming error.
    assert(ok);
    (void)ok;
    return *this;
  }

  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

struct JsonLimits {
  int max_depth = 64;
};

// Parses UTF-8 JSON. Errors carry the byte offset and rapidjson's reason, never the input.
Result<JsonDocument> parse_json(std::string_view text, JsonLimits limits = {});

// Serializes a value compactly.
std::string to_json(const JsonValue& v);

// Typed member access that tolerates absent members and wrong types (returns nullopt).
const JsonValue* json_member(const JsonValue& obj, std::string_view name);
std::optional<std::string_view> json_string(const JsonValue& obj, std::string_view name);
std::optional<std::int64_t> json_int(const JsonValue& obj, std::string_view name);
std::optional<double> json_number(const JsonValue& obj, std::string_view name);
std::optional<bool> json_bool(const JsonValue& obj, std::string_view name);

inline std::string_view as_view(const JsonValue& v) {
  return {v.GetString(), v.GetStringLength()};
}

}  // namespace bl
