#include "ingest/job_validation.hpp"

#include <set>

namespace bl {
namespace {

constexpr std::size_t kMaxCustomIdBytes = 256;

struct ItemError {
  int index;
  std::string param;
  std::string code;
  std::string message;
};

constexpr std::string_view kRoles[] = {"system", "developer", "user", "assistant", "tool"};

// Sampling and output parameters passed through to the provider.
constexpr std::string_view kParameters[] = {
    "max_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "response_format",
    "tools",
    "tool_choice",
    "logprobs",
    "top_logprobs",
    "user",
    "metadata",
};

// Top-level fields of a native job besides the parameters.
constexpr std::string_view kJobFields[] = {"model",           "messages",   "custom_id",
                                           "priority",        "parameters", "client_reference",
                                           "conversation_id", "use_history"};

template <std::size_t N>
bool one_of(std::string_view v, const std::string_view (&set)[N]) {
  for (auto s : set) {
    if (s == v) return true;
  }
  return false;
}

class JobChecker {
 public:
  JobChecker(const Config& config, std::vector<ItemError>& errors)
      : config_(config), errors_(errors) {}

  std::optional<ValidatedJob> check(int index, const JsonValue& job, std::size_t approx_bytes) {
    index_ = index;
    bad_ = false;
    if (!job.IsObject()) {
      fail("", "invalid_type", "a job must be a JSON object");
      return std::nullopt;
    }
    if (approx_bytes > config_.max_job_bytes) {
      fail("", "too_large",
           "a job may hold at most " + std::to_string(config_.max_job_bytes) + " bytes");
      return std::nullopt;
    }
    ValidatedJob out;
    const ModelConfig* model = check_model(job, &out);
    check_messages(job);
    check_custom_id(job, &out);
    check_priority(job, &out);
    check_conversation(job, &out);
    check_use_history(job, &out);
    check_client_reference(job, &out);
    JsonWriter params;
    params.begin_object();
    // Parameters may sit at the top level (OpenAI style) or inside "parameters".
    for (auto it = job.MemberBegin(); it != job.MemberEnd(); ++it) {
      const std::string_view key = as_view(it->name);
      if (one_of(key, kJobFields)) continue;
      if (!one_of(key, kParameters)) {
        fail(std::string(key), "unknown_field", "unknown field");
        continue;
      }
      check_parameter(key, it->value, model, &out);
      params.key(key).value(it->value);
    }
    if (const JsonValue* p = json_member(job, "parameters")) {
      if (!p->IsObject()) {
        fail("parameters", "invalid_type", "parameters must be an object");
      } else {
        for (auto it = p->MemberBegin(); it != p->MemberEnd(); ++it) {
          const std::string_view key = as_view(it->name);
          if (!one_of(key, kParameters)) {
            fail("parameters." + std::string(key), "unknown_field", "unknown parameter");
            continue;
          }
          check_parameter(key, it->value, model, &out);
          params.key(key).value(it->value);
        }
      }
    }
    params.end_object();
    if (bad_) return std::nullopt;
    JsonWriter request;
    request.begin_object();
    request.key("messages").value(*json_member(job, "messages"));
    request.key("parameters").raw(params.view());
    request.end_object();
    out.request_json = request.str();
    return out;
  }

 private:
  void fail(std::string param, std::string code, std::string message) {
    bad_ = true;
    errors_.push_back({index_, std::move(param), std::move(code), std::move(message)});
  }

  const ModelConfig* check_model(const JsonValue& job, ValidatedJob* out) {
    auto model = json_string(job, "model");
    if (!model) {
      fail("model", "missing_field", "model is required and must be a string");
      return nullptr;
    }
    const ModelConfig* m = config_.find_model(*model);
    if (m == nullptr) {
      fail("model", "unknown_model", "this model is not in the model registry");
      return nullptr;
    }
    out->model = m->id;
    return m;
  }

  void check_messages(const JsonValue& job) {
    const JsonValue* messages = json_member(job, "messages");
    if (messages == nullptr || !messages->IsArray()) {
      fail("messages", "missing_field", "messages is required and must be an array");
      return;
    }
    if (messages->Empty()) {
      fail("messages", "empty_messages", "messages must not be empty");
      return;
    }
    for (rapidjson::SizeType i = 0; i < messages->Size(); ++i) {
      const JsonValue& m = (*messages)[i];
      const std::string where = "messages[" + std::to_string(i) + "]";
      if (!m.IsObject()) {
        fail(where, "invalid_type", "a message must be an object");
        continue;
      }
      auto role = json_string(m, "role");
      if (!role || !one_of(*role, kRoles)) {
        fail(where + ".role", "invalid_role",
             "role must be one of system, developer, user, assistant, tool");
      }
      const JsonValue* content = json_member(m, "content");
      const bool has_tool_calls = json_member(m, "tool_calls") != nullptr;
      if (content == nullptr || content->IsNull()) {
        if (!(role && *role == "assistant" && has_tool_calls)) {
          fail(where + ".content", "missing_field", "content is required");
        }
      } else if (!content->IsString() && !content->IsArray()) {
        fail(where + ".content", "invalid_type", "content must be a string or an array of parts");
      }
    }
  }

  void check_custom_id(const JsonValue& job, ValidatedJob* out) {
    const JsonValue* v = json_member(job, "custom_id");
    if (v == nullptr || v->IsNull()) return;
    if (!v->IsString() || v->GetStringLength() == 0 || v->GetStringLength() > kMaxCustomIdBytes) {
      fail("custom_id", "invalid_custom_id", "custom_id must be a string of 1-256 bytes");
      return;
    }
    out->custom_id = std::string(as_view(*v));
    if (!custom_ids_.insert(*out->custom_id).second) {
      fail("custom_id", "duplicate_custom_id", "custom_id is used by another job of this request");
    }
  }

  void check_priority(const JsonValue& job, ValidatedJob* out) {
    const JsonValue* v = json_member(job, "priority");
    if (v == nullptr || v->IsNull()) return;
    if (!v->IsInt() || v->GetInt() < 1 || v->GetInt() > 1000) {
      fail("priority", "invalid_priority", "priority must be an integer from 1 (first) to 1000");
      return;
    }
    out->priority = v->GetInt();
  }

  void check_conversation(const JsonValue& job, ValidatedJob* out) {
    const JsonValue* v = json_member(job, "conversation_id");
    if (v == nullptr || v->IsNull()) return;
    auto id = v->IsString() ? from_api_id(id_prefix::kConversation, as_view(*v)) : std::nullopt;
    if (!id) {
      fail("conversation_id", "invalid_conversation_id",
           "conversation_id must be \"conv_\" followed by 32 hex digits");
      return;
    }
    out->conversation_id = id;
  }

  // use_history: true sends the conversation's earlier messages as context; it needs one.
  void check_use_history(const JsonValue& job, ValidatedJob* out) {
    const JsonValue* v = json_member(job, "use_history");
    if (v == nullptr || v->IsNull()) return;
    if (!v->IsBool()) return fail("use_history", "invalid_type", "use_history must be a boolean");
    if (v->GetBool() && !out->conversation_id) {
      return fail("use_history", "missing_conversation", "use_history needs a conversation_id");
    }
    out->use_history = v->GetBool();
  }

  void check_client_reference(const JsonValue& job, ValidatedJob* out) {
    const JsonValue* v = json_member(job, "client_reference");
    if (v == nullptr || v->IsNull()) return;
    std::string json = to_json(*v);
    if (json.size() > kMaxClientReferenceBytes) {
      fail("client_reference", "too_large",
           "client_reference may hold at most " + std::to_string(kMaxClientReferenceBytes) +
               " bytes of JSON");
      return;
    }
    out->client_reference_json = std::move(json);
  }

  void check_parameter(std::string_view key, const JsonValue& v, const ModelConfig* model,
                       ValidatedJob* out) {
    const std::string param(key);
    if (key == "max_tokens" || key == "max_completion_tokens") {
      const int max = model != nullptr ? model->max_output_tokens : 1 << 30;
      if (!v.IsInt() || v.GetInt() < 1 || v.GetInt() > max) {
        fail(param, "invalid_value", "must be an integer from 1 to " + std::to_string(max));
      } else {
        out->max_tokens = v.GetInt();
      }
    } else if (key == "temperature") {
      if (!v.IsNumber() || v.GetDouble() < 0 || v.GetDouble() > 2) {
        fail(param, "invalid_value", "must be a number from 0 to 2");
      }
    } else if (key == "top_p") {
      if (!v.IsNumber() || v.GetDouble() < 0 || v.GetDouble() > 1) {
        fail(param, "invalid_value", "must be a number from 0 to 1");
      }
    }
  }

  const Config& config_;
  std::vector<ItemError>& errors_;
  std::set<std::string> custom_ids_;
  int index_ = 0;
  bool bad_ = false;
};

std::string details_json(const std::vector<ItemError>& errors) {
  JsonWriter w;
  w.begin_array();
  for (const auto& e : errors) {
    w.begin_object();
    w.field("index", e.index);
    w.field("param", e.param);
    w.field("code", e.code);
    w.field("message", e.message);
    w.end_object();
  }
  w.end_array();
  return w.str();
}

}  // namespace

ValidationResult validate_jobs(std::string_view body, const Config& config) {
  ValidationResult out;
  if (body.size() > config.max_body_bytes) {
    out.error =
        ApiError{413, "request_too_large", "the request body is too large", std::nullopt, ""};
    return out;
  }
  auto doc = parse_json(body, JsonLimits{config.max_json_depth});
  if (!doc.ok()) {
    out.error = ApiError{400, "invalid_json", doc.error().message, std::nullopt, ""};
    return out;
  }
  std::vector<const JsonValue*> items;
  if (doc->IsObject() && json_member(*doc, "jobs") != nullptr) {
    const JsonValue& jobs = *json_member(*doc, "jobs");
    if (!jobs.IsArray()) {
      out.error = ApiError{400, "invalid_type", "jobs must be an array", "jobs", ""};
      return out;
    }
    for (const auto& j : jobs.GetArray())
      items.push_back(&j);
  } else if (doc->IsObject()) {
    items.push_back(&*doc);
  } else {
    out.error = ApiError{400, "invalid_type", "expected a job object or {\"jobs\": [...]}",
                         std::nullopt, ""};
    return out;
  }
  if (items.empty()) {
    out.error = ApiError{400, "empty_request", "jobs must not be empty", "jobs", ""};
    return out;
  }
  if (items.size() > static_cast<std::size_t>(config.max_jobs_per_request)) {
    out.error = ApiError{
        400, "too_many_jobs",
        "at most " + std::to_string(config.max_jobs_per_request) + " jobs per request", "jobs", ""};
    return out;
  }
  std::vector<ItemError> errors;
  JobChecker checker(config, errors);
  for (std::size_t i = 0; i < items.size(); ++i) {
    // A single job's size is the body's; items of a list are measured by re-serializing.
    const std::size_t bytes = items.size() == 1 ? body.size() : to_json(*items[i]).size();
    if (auto job = checker.check(static_cast<int>(i), *items[i], bytes)) {
      out.jobs.push_back(std::move(*job));
    }
  }
  if (!errors.empty()) {
    out.jobs.clear();
    out.error =
        ApiError{400, "invalid_jobs",
                 std::to_string(errors.size()) + " problem(s) in the submitted jobs; see details",
                 std::nullopt, details_json(errors)};
  }
  return out;
}

}  // namespace bl
