#include "projections/batch_manager/batch_results.hpp"

#include "core/api_error.hpp"
#include "core/json.hpp"

namespace bl {
namespace {

constexpr std::string_view kExpiredMessage =
    "This request could not be executed before the completion window expired.";
constexpr std::string_view kCancelledMessage = "This request was cancelled before it ran.";

std::string request_id(const BatchJob& job) {
  return to_api_id(id_prefix::kRequest, job.job_id);
}

// The assistant message as a parsed object ({"role":"assistant","content":...}).
JsonDocument assistant_message(const JobSucceeded& s) {
  auto doc = parse_json(s.output_json);
  if (doc.ok() && doc->IsObject()) return std::move(*doc);
  JsonDocument empty;
  empty.Parse(R"({"role":"assistant","content":null})");
  return empty;
}

std::string failure_message(const JobFailed& f) {
  if (!f.error.detail.empty()) return f.error.detail;
  return "The request failed (" + f.error.code + ").";
}

void write_openai_success(JsonWriter& w, const BatchJob& job, const JobSucceeded& s) {
  w.key("response").begin_object();
  w.field("status_code", s.http_status > 0 ? s.http_status : 200);
  w.field("request_id", request_id(job));
  w.key("body").begin_object();
  w.field("id", "chatcmpl-" + job.job_id.to_hex());
  w.field("object", "chat.completion");
  w.field("created", job.finished_ms / 1000);
  w.field("model", job.model);
  w.key("choices").begin_array().begin_object();
  w.field("index", 0);
  w.key("message").value(assistant_message(s));
  w.null_field("logprobs");
  w.field("finish_reason", s.finish_reason.empty() ? "stop" : s.finish_reason);
  w.end_object().end_array();
  w.key("usage").begin_object();
  w.field("prompt_tokens", s.usage.input_tokens);
  w.field("completion_tokens", s.usage.output_tokens);
  w.field("total_tokens", s.usage.input_tokens + s.usage.output_tokens);
  w.key("prompt_tokens_details").begin_object();
  w.field("cached_tokens", s.usage.cached_tokens);
  w.end_object();
  w.end_object();
  w.end_object();
  w.end_object();
  w.null_field("error");
}

void write_openai_failure(JsonWriter& w, const BatchJob& job, const JobFailed& f) {
  if (f.error.http_status >= 400) {
    // The provider answered with an HTTP error: its status and an OpenAI error body.
    w.key("response").begin_object();
    w.field("status_code", f.error.http_status);
    w.field("request_id", request_id(job));
    w.key("body").begin_object().key("error").begin_object();
    w.field("message", failure_message(f));
    w.field("type", error_type_for(f.error.http_status));
    w.null_field("param");
    w.field("code", f.error.code);
    w.end_object().end_object();
    w.end_object();
    w.null_field("error");
    return;
  }
  w.null_field("response");
  w.key("error").begin_object();
  w.field("code", f.error.code);
  w.field("message", failure_message(f));
  w.end_object();
}

void write_openai_not_run(JsonWriter& w, const BatchJob& job) {
  const bool expired = job.cancel_reason == "batch_expired";
  w.null_field("response");
  w.key("error").begin_object();
  w.field("code", expired ? "batch_expired" : "batch_cancelled");
  w.field("message", expired ? kExpiredMessage : kCancelledMessage);
  w.end_object();
}

// Anthropic's stop_reason for our normalized finish_reason.
std::string_view stop_reason(std::string_view finish_reason) {
  if (finish_reason == "length") return "max_tokens";
  if (finish_reason == "tool_calls") return "tool_use";
  if (finish_reason == "content_filter") return "refusal";
  return "end_turn";
}

void write_text_blocks(JsonWriter& w, const JsonValue& message) {
  w.key("content").begin_array();
  const JsonValue* content = json_member(message, "content");
  if (content != nullptr && content->IsString()) {
    w.begin_object().field("type", "text").key("text").value(*content).end_object();
  } else if (content != nullptr && content->IsArray()) {
    for (const auto& part : content->GetArray()) {
      if (auto text = json_string(part, "text")) {
        w.begin_object().field("type", "text").field("text", *text).end_object();
      }
    }
  }
  w.end_array();
}

}  // namespace

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 || status == 0 ? "api_error" : "invalid_request_error";
  }
}

void append_openai_result_line(const BatchJob& job, std::string* output, std::string* errors) {
  if (!is_terminal(job.state)) return;
  JsonWriter w;
  w.begin_object();
  w.field("id", "batch_req_" + job.job_id.to_hex());
  w.field("custom_id", job.custom_id);
  std::string* target = errors;
  if (job.succeeded && job.state != JobState::kCancelled && job.state != JobState::kFailed) {
    write_openai_success(w, job, *job.succeeded);
    target = output;
  } else if (job.failed) {
    write_openai_failure(w, job, *job.failed);
  } else {
    write_openai_not_run(w, job);
  }
  w.end_object();
  target->append(w.view());
  target->push_back('\n');
}

void append_anthropic_result_line(const BatchJob& job, std::string* out) {
  if (!is_terminal(job.state)) return;
  JsonWriter w;
  w.begin_object();
  w.field("custom_id", job.custom_id);
  w.key("result").begin_object();
  if (job.succeeded && job.state != JobState::kCancelled && job.state != JobState::kFailed) {
    const JobSucceeded& s = *job.succeeded;
    w.field("type", "succeeded");
    w.key("message").begin_object();
    w.field("id", "msg_" + job.job_id.to_hex());
    w.field("type", "message");
    w.field("role", "assistant");
    w.field("model", job.model);
    write_text_blocks(w, assistant_message(s));
    w.field("stop_reason", stop_reason(s.finish_reason));
    w.null_field("stop_sequence");
    w.key("usage").begin_object();
    w.field("input_tokens", s.usage.input_tokens - s.usage.cached_tokens);
    w.field("cache_creation_input_tokens", 0);
    w.field("cache_read_input_tokens", s.usage.cached_tokens);
    w.field("output_tokens", s.usage.output_tokens);
    w.end_object();
    w.end_object();
  } else if (job.failed) {
    w.field("type", "errored");
    w.key("error").begin_object();
    w.field("type", "error");
    w.key("error").begin_object();
    w.field("type", anthropic_error_type(job.failed->error.http_status));
    w.field("message", failure_message(*job.failed));
    w.end_object();
    w.field("request_id", request_id(job));
    w.end_object();
  } else {
    w.field("type", job.cancel_reason == "batch_expired" ? "expired" : "canceled");
  }
  w.end_object();
  w.end_object();
  out->append(w.view());
  out->push_back('\n');
}

}  // namespace bl
