#include "ingest/anthropic_batch_input.hpp"

#include <unordered_set>

#include "core/json.hpp"

namespace bl {
namespace {

constexpr std::size_t kMaxCustomIdChars = 64;

// Params we map; anything else is refused by name rather than silently dropped.
constexpr std::string_view kKnownParams[] = {
    "model", "max_tokens", "messages",       "system", "temperature", "top_p",
    "top_k", "metadata",   "stop_sequences", "stream", "service_tier"};

bool known_param(std::string_view key) {
  for (auto k : kKnownParams) {
    if (k == key) return true;
  }
  return false;
}

bool valid_custom_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxCustomIdChars) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Writes an Anthropic content (string or blocks) as OpenAI content; false on a block we do not
// support.
bool write_content(JsonWriter& w, const JsonValue& content) {
  if (content.IsString()) {
    w.value(content);
    return true;
  }
  if (!content.IsArray()) return false;
  w.begin_array();
  for (const auto& block : content.GetArray()) {
    const auto type = json_string(block, "type");
    if (type == "text" && json_string(block, "text")) {
      w.begin_object().field("type", "text").key("text").value(block["text"]).end_object();
    } else if (type == "image") {
      const JsonValue* source = json_member(block, "source");
      auto media = source ? json_string(*source, "media_type") : std::nullopt;
      auto data = source ? json_string(*source, "data") : std::nullopt;
      if (!source || json_string(*source, "type") != "base64" || !media || !data) return false;
      w.begin_object().field("type", "image_url").key("image_url").begin_object();
      w.field("url", "data:" + std::string(*media) + ";base64," + std::string(*data));
      w.end_object().end_object();
    } else {
      return false;
    }
  }
  w.end_array();
  return true;
}

class RequestMapper {
 public:
  RequestMapper(std::string_view version, const Config& config)
      : version_(version), config_(config) {}

  // The job for one request, or an error message naming the field.
  Result<ValidatedJob> map(std::size_t index, const JsonValue& request) {
    const std::string where = "requests[" + std::to_string(index) + "]";
    if (!request.IsObject()) return Error::invalid(where + ": must be an object");
    auto custom_id = json_string(request, "custom_id");
    if (!custom_id || !valid_custom_id(*custom_id)) {
      return Error::invalid(where +
                            ".custom_id: must be 1-64 characters of letters, digits, _ and -");
    }
    if (!custom_ids_.insert(std::string(*custom_id)).second) {
      return Error::invalid(where + ".custom_id: duplicate custom_id in this batch");
    }
    const JsonValue* params = json_member(request, "params");
    if (params == nullptr || !params->IsObject()) {
      return Error::invalid(where + ".params: must be an object");
    }
    for (auto it = params->MemberBegin(); it != params->MemberEnd(); ++it) {
      const std::string_view key = as_view(it->name);
      if (!known_param(key)) {
        return Error::invalid(where + ".params." + std::string(key) +
                              ": not supported by this server");
      }
      if (version_ == kAnthropicVersion2026 &&
          (key == "temperature" || key == "top_p" || key == "top_k")) {
        return Error::invalid(where + ".params." + std::string(key) +
                              ": not accepted under anthropic-version 2026-10-21");
      }
    }
    if (const JsonValue* s = json_member(*params, "stream"); s && s->IsBool() && s->GetBool()) {
      return Error::invalid(where + ".params.stream: batches do not stream");
    }
    if (!json_int(*params, "max_tokens")) {
      return Error::invalid(where + ".params.max_tokens: required integer");
    }
    const JsonValue* messages = json_member(*params, "messages");
    if (messages == nullptr || !messages->IsArray() || messages->Empty()) {
      return Error::invalid(where + ".params.messages: must be a non-empty array");
    }
    JsonWriter job;
    job.begin_object();
    job.key("model").value(json_string(*params, "model").value_or(""));
    job.key("messages").begin_array();
    if (const JsonValue* system = json_member(*params, "system")) {
      job.begin_object().field("role", "system").key("content");
      if (!write_content(job, *system)) {
        return Error::invalid(where + ".params.system: must be a string or text blocks");
      }
      job.end_object();
    }
    for (rapidjson::SizeType i = 0; i < messages->Size(); ++i) {
      const JsonValue& m = (*messages)[i];
      const std::string at = where + ".params.messages[" + std::to_string(i) + "]";
      auto role = json_string(m, "role");
      if (role != "user" && role != "assistant") {
        return Error::invalid(at + ".role: must be user or assistant");
      }
      const JsonValue* content = json_member(m, "content");
      job.begin_object().field("role", *role).key("content");
      if (content == nullptr || !write_content(job, *content)) {
        return Error::invalid(at + ".content: must be a string or text and image blocks");
      }
      job.end_object();
    }
    job.end_array();
    job.key("max_tokens").value((*params)["max_tokens"]);
    for (const char* key : {"temperature", "top_p"}) {
      if (const JsonValue* v = json_member(*params, key)) job.key(key).value(*v);
    }
    if (const JsonValue* stop = json_member(*params, "stop_sequences"))
      job.key("stop").value(*stop);
    job.field("custom_id", *custom_id);
    job.end_object();
    ValidationResult v = validate_jobs(job.view(), config_);
    if (v.error) {
      std::string message = v.error->message;
      auto details = parse_json(v.error->details_json.empty() ? "[]" : v.error->details_json);
      if (details.ok() && details->IsArray() && !details->Empty()) {
        const JsonValue& first = (*details)[0];
        message = std::string(json_string(first, "param").value_or("")) + ": " +
                  std::string(json_string(first, "message").value_or(""));
      }
      return Error::invalid(where + ".params." + message);
    }
    return std::move(v.jobs.front());
  }

 private:
  std::string_view version_;
  const Config& config_;
  std::unordered_set<std::string> custom_ids_;
};

}  // namespace

AnthropicBatchInput validate_anthropic_batch(std::string_view body, std::string_view version,
                                             const Config& config) {
  AnthropicBatchInput out;
  auto doc = parse_json(body);
  if (!doc.ok() || !doc->IsObject()) {
    out.error = "the body must be a JSON object";
    return out;
  }
  const JsonValue* requests = json_member(*doc, "requests");
  if (requests == nullptr || !requests->IsArray() || requests->Empty()) {
    out.error = "requests: must be a non-empty array";
    return out;
  }
  if (requests->Size() > static_cast<rapidjson::SizeType>(config.max_batch_requests)) {
    out.error =
        "requests: at most " + std::to_string(config.max_batch_requests) + " requests per batch";
    return out;
  }
  RequestMapper mapper(version, config);
  out.jobs.reserve(requests->Size());
  for (rapidjson::SizeType i = 0; i < requests->Size(); ++i) {
    auto job = mapper.map(i, (*requests)[i]);
    if (!job.ok()) {
      out.jobs.clear();
      out.error = job.error().message;
      return out;
    }
    out.jobs.push_back(std::move(*job));
  }
  return out;
}

}  // namespace bl
