// The chunked upload shape of the OpenAI SDK (fs.createReadStream, toStreamingFile): a POST
// with Transfer-Encoding: chunked and no Content-Length.

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

#include "tests/support/test_env.hpp"

namespace bl::test {
namespace {

struct Source {
  const std::string* body;
  std::size_t offset = 0;
};

size_t read_body(char* buffer, size_t size, size_t n, void* arg) {
  auto* src = static_cast<Source*>(arg);
  // Small pieces, so that the body really travels as many chunks.
  const std::size_t take =
      std::min({size * n, src->body->size() - src->offset, std::size_t{16384}});
  std::memcpy(buffer, src->body->data() + src->offset, take);
  src->offset += take;
  return take;
}

size_t collect(char* data, size_t size, size_t n, void* arg) {
  static_cast<std::string*>(arg)->append(data, size * n);
  return size * n;
}

}  // namespace

HttpResult http_chunked_post(const std::string& url, const std::string& body,
                             const std::vector<std::string>& headers) {
  HttpResult out;
  Source src{&body};
  CURL* c = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers)
    list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Transfer-Encoding: chunked");
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &read_body);
  curl_easy_setopt(c, CURLOPT_READDATA, &src);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(c);
  return out;
}

}  // namespace bl::test
