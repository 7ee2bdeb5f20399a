#include "tests/support/batch_client.hpp"

#include <gtest/gtest.h>

namespace bl::test {

std::string batch_line(const std::string& custom_id, const std::string& prompt,
                       const std::string& model) {
  JsonWriter w;
  w.begin_object();
  w.field("custom_id", custom_id);
  w.field("method", "POST");
  w.field("url", "/v1/chat/completions");
  w.key("body").begin_object();
  w.field("model", model);
  w.key("messages").begin_array();
  w.begin_object().field("role", "user").field("content", prompt).end_object();
  w.end_array();
  w.field("max_tokens", 100);
  w.end_object();
  w.end_object();
  return w.str();
}

std::string batch_lines(int count, const std::string& model) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    out += batch_line("req-" + std::to_string(i), "canary prompt " + std::to_string(i), model);
    out += "\n";
  }
  return out;
}

std::string multipart_body(const std::string& boundary,
                           const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    out += "--" + boundary + "\r\n";
    if (name == "file") {
      out += "Content-Disposition: form-data; name=\"file\"; filename=\"input.jsonl\"\r\n";
      out += "Content-Type: application/octet-stream\r\n\r\n";
    } else {
      out += "Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n";
    }
    out += value + "\r\n";
  }
  out += "--" + boundary + "--\r\n";
  return out;
}

std::string upload_batch_file(const Pipeline& p, const std::string& content, bool chunked,
                              HttpResult* response) {
  const std::string boundary = chunked ? "openai-3x7k2p" : "----formdata-undici-012345678901";
  // The two SDK shapes also differ in field order: file first, or purpose first.
  const std::string body =
      chunked ? multipart_body(boundary, {{"purpose", "batch"}, {"file", content}})
              : multipart_body(boundary, {{"file", content}, {"purpose", "batch"}});
  const std::vector<std::string> headers = {
      p.auth_header(), "Content-Type: multipart/form-data; boundary=" + boundary};
  HttpResult r = chunked ? http_chunked_post(p.url("/v1/files"), body, headers)
                         : http("POST", p.url("/v1/files"), body, headers);
  if (response != nullptr) *response = r;
  auto doc = parse_json(r.body);
  if (r.status != 200 || !doc.ok()) return "";
  return std::string(json_string(*doc, "id").value_or(""));
}

HttpResult create_batch(const Pipeline& p, const std::string& file_id,
                        const std::string& extra_fields) {
  return p.post("/v1/batches",
                R"({"input_file_id":")" + file_id +
                    R"(","endpoint":"/v1/chat/completions","completion_window":"24h")" +
                    extra_fields + "}");
}

JsonDocument parse_or_die(const std::string& body) {
  auto doc = parse_json(body);
  EXPECT_TRUE(doc.ok()) << body;
  if (!doc.ok()) {
    JsonDocument empty;
    empty.SetObject();
    return empty;
  }
  return std::move(*doc);
}

JsonDocument wait_for_batch_status(const Pipeline& p, const std::string& batch_id,
                                   const std::string& status, std::chrono::milliseconds deadline) {
  std::string last;
  const bool reached = wait_until(
      [&] {
        auto r = p.get("/v1/batches/" + batch_id);
        last = r.body;
        auto doc = parse_json(r.body);
        return r.status == 200 && doc.ok() && json_string(*doc, "status") == status;
      },
      deadline, std::chrono::milliseconds(50));
  EXPECT_TRUE(reached) << "batch did not reach " << status << ": " << last;
  return parse_or_die(last);
}

std::map<std::string, std::string> lines_by_custom_id(const std::string& jsonl, int* duplicates) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < jsonl.size()) {
    std::size_t end = jsonl.find('\n', start);
    if (end == std::string::npos) end = jsonl.size();
    const std::string line = jsonl.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    auto doc = parse_json(line);
    EXPECT_TRUE(doc.ok()) << line;
    if (!doc.ok()) continue;
    const std::string id(json_string(*doc, "custom_id").value_or(""));
    if (!out.emplace(id, line).second) ++*duplicates;
  }
  return out;
}

}  // namespace bl::test
