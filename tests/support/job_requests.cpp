#include "tests/support/job_requests.hpp"

#include "core/json.hpp"

namespace bl::test {

std::string jobs_body(int first, int count, const std::string& model, std::optional<int> priority) {
  JsonWriter w;
  w.begin_object().key("jobs").begin_array();
  for (int i = first; i < first + count; ++i) {
    w.begin_object();
    w.field("model", model);
    w.field("custom_id", "job-" + std::to_string(i));
    if (priority) w.field("priority", *priority);
    w.key("messages").begin_array();
    w.begin_object().field("role", "system").field("content", "be brief").end_object();
    w.begin_object()
        .field("role", "user")
        .field("content", "question " + std::to_string(i))
        .end_object();
    w.end_array();
    w.field("max_tokens", 50);
    w.end_object();
  }
  w.end_array().end_object();
  return w.str();
}

std::vector<std::string> job_ids(const std::string& response_body) {
  std::vector<std::string> ids;
  auto doc = parse_json(response_body);
  if (!doc.ok() || !doc->IsObject()) return ids;
  const JsonValue* data = json_member(*doc, "data");
  if (data == nullptr || !data->IsArray()) return ids;
  for (const auto& item : data->GetArray()) {
    if (auto id = json_string(item, "id")) ids.emplace_back(*id);
  }
  return ids;
}

}  // namespace bl::test
