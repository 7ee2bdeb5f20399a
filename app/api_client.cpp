#include "app/api_client.hpp"

#include <curl/curl.h>

#include <memory>

#include "core/json.hpp"

namespace bl {
namespace {

constexpr long kConnectTimeoutMs = 10000;
constexpr long kTimeoutMs = 600000;  // large uploads and result files

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::size_t append_body(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

}  // namespace

std::string ApiReply::describe() const {
  if (status == 0) return "cannot reach the server: " + transport;
  std::string text = "HTTP " + std::to_string(status);
  auto doc = parse_json(body);
  if (doc.ok() && doc->IsObject()) {
    const JsonValue* error = json_member(*doc, "error");
    if (error != nullptr && error->IsObject()) {
      if (auto message = json_string(*error, "message")) text += ": " + std::string(*message);
    }
  }
  return text;
}

ApiClient::ApiClient(std::string base_url, std::string api_key)
    : base_url_(std::move(base_url)), api_key_(std::move(api_key)) {
  while (!base_url_.empty() && base_url_.back() == '/')
    base_url_.pop_back();
}

ApiReply ApiClient::get(const std::string& path) const {
  return call("GET", path, "", nullptr, "");
}

ApiReply ApiClient::post_json(const std::string& path, const std::string& body) const {
  return call("POST", path, body, nullptr, "");
}

ApiReply ApiClient::post_file(const std::string& path,
                              const std::vector<std::pair<std::string, std::string>>& fields,
                              const std::string& filename, const std::string& content) const {
  return call("POST", path, content, &fields, filename);
}

ApiReply ApiClient::call(const std::string& method, const std::string& path,
                         const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>* fields,
                         const std::string& filename) const {
  ApiReply reply;
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) {
    reply.transport = "curl_easy_init failed";
    return reply;
  }
  CURL* c = easy.get();
  const std::string url = base_url_ + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, kTimeoutMs);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  curl_slist* raw_headers = nullptr;
  const std::string auth = "Authorization: Bearer " + api_key_;
  if (!api_key_.empty()) raw_headers = curl_slist_append(raw_headers, auth.c_str());
  std::unique_ptr<curl_mime, MimeDeleter> mime;
  if (fields != nullptr) {
    mime.reset(curl_mime_init(c));
    for (const auto& [name, value] : *fields) {
      curl_mimepart* part = curl_mime_addpart(mime.get());
      curl_mime_name(part, name.c_str());
      curl_mime_data(part, value.c_str(), CURL_ZERO_TERMINATED);
    }
    curl_mimepart* file = curl_mime_addpart(mime.get());
    curl_mime_name(file, "file");
    curl_mime_filename(file, filename.c_str());
    curl_mime_type(file, "application/jsonl");
    curl_mime_data(file, body.data(), body.size());
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime.get());
  } else if (method == "POST") {
    raw_headers = curl_slist_append(raw_headers, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    reply.transport = curl_easy_strerror(code);
    reply.body.clear();
    return reply;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

}  // namespace bl
