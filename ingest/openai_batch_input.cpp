#include "ingest/openai_batch_input.hpp"

#include <unordered_set>

#include "core/json.hpp"

namespace bl {
namespace {

class LineChecker {
 public:
  LineChecker(std::string_view endpoint, const Config& config, BatchInput& out)
      : endpoint_(endpoint), config_(config), out_(out) {}

  void check(int line, std::string_view text) {
    auto doc = parse_json(text);
    if (!doc.ok() || !doc->IsObject()) {
      return fail(line, "invalid_json_line", "This line is not parseable as valid JSON.");
    }
    auto custom_id = json_string(*doc, "custom_id");
    if (!custom_id || custom_id->empty() || custom_id->size() > 512) {
      return fail(line, "invalid_request",
                  "custom_id is required and must be a string of 1-512 "
                  "characters.",
                  "custom_id");
    }
    if (!custom_ids_.insert(std::string(*custom_id)).second) {
      return fail(line, "duplicate_custom_id",
                  "The custom_id for this request is a duplicate of another request. The "
                  "custom_id parameter must be unique for each request in a batch.",
                  "custom_id");
    }
    if (json_string(*doc, "method") != "POST") {
      return fail(line, "invalid_request", "method must be POST.", "method");
    }
    if (json_string(*doc, "url") != endpoint_) {
      return fail(line, "url_mismatch",
                  "The URL provided for this request does not match the batch endpoint.", "url");
    }
    const JsonValue* body = json_member(*doc, "body");
    if (body == nullptr || !body->IsObject()) {
      return fail(line, "invalid_request", "body is required and must be an object.", "body");
    }
    check_body(line, *body, *custom_id);
  }

  void finish(int lines) {
    if (lines == 0 && out_.errors.empty()) {
      out_.errors.push_back({"empty_file", std::nullopt, "The batch input file is empty.", {}});
    }
    if (!out_.errors.empty()) out_.jobs.clear();
  }

  bool full() const { return out_.errors.size() >= kMaxReportedLineErrors; }

 private:
  void fail(int line, std::string code, std::string message,
            std::optional<std::string> param = std::nullopt) {
    if (full()) return;
    out_.errors.push_back({std::move(code), line, std::move(message), std::move(param)});
  }

  void check_body(int line, const JsonValue& body, std::string_view custom_id) {
    auto model = json_string(body, "model");
    if (model && !out_.model) out_.model = std::string(*model);
    if (model && *model != *out_.model) {
      return fail(line, "model_mismatch",
                  "The model of this request differs from the model of the other requests; a "
                  "batch uses one model.",
                  "body.model");
    }
    // A batch never streams: "stream": false is accepted and dropped.
    const JsonValue* stream = json_member(body, "stream");
    if (stream != nullptr && !(stream->IsBool() && !stream->GetBool())) {
      return fail(line, "invalid_request", "stream is not supported in a batch.", "body.stream");
    }
    JsonWriter job;
    job.begin_object();
    for (auto it = body.MemberBegin(); it != body.MemberEnd(); ++it) {
      const std::string_view key = as_view(it->name);
      if (key == "stream" || key == "custom_id" || key == "priority") continue;
      job.key(key).value(it->value);
    }
    job.field("custom_id", custom_id);
    job.end_object();
    ValidationResult v = validate_jobs(job.view(), config_);
    if (v.error) {
      std::string param = "body";
      std::string message = v.error->message;
      auto details = parse_json(v.error->details_json.empty() ? "[]" : v.error->details_json);
      if (details.ok() && details->IsArray() && !details->Empty()) {
        const JsonValue& first = (*details)[0];
        if (auto p = json_string(first, "param"); p && !p->empty()) param += "." + std::string(*p);
        if (auto m = json_string(first, "message")) message = std::string(*m);
        if (json_string(first, "code") == "unknown_model") {
          return fail(line, "model_not_found", "The model does not exist or is not served here.",
                      param);
        }
      }
      return fail(line, "invalid_request", param + ": " + message, param);
    }
    if (out_.errors.empty()) out_.jobs.push_back(std::move(v.jobs.front()));
  }

  std::string_view endpoint_;
  const Config& config_;
  BatchInput& out_;
  std::unordered_set<std::string> custom_ids_;
};

}  // namespace

BatchInput validate_openai_batch_input(std::string_view content, std::string_view endpoint,
                                       const Config& config) {
  BatchInput out;
  LineChecker checker(endpoint, config, out);
  int line = 0;
  int requests = 0;
  std::size_t start = 0;
  while (start < content.size() && !checker.full()) {
    std::size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    std::string_view text = content.substr(start, end - start);
    start = end + 1;
    ++line;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
    if (++requests > config.max_batch_requests) {
      out.errors.push_back({"too_many_tasks",
                            std::nullopt,
                            "The batch input file has more than " +
                                std::to_string(config.max_batch_requests) + " requests.",
                            {}});
      break;
    }
    checker.check(line, text);
  }
  checker.finish(requests);
  return out;
}

}  // namespace bl
