#include "core/webhook_url.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

#include "core/address_policy.hpp"

namespace bl {
namespace {

struct UrlFree {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

// A part of the URL, lower-cased; empty when absent.
std::string part(CURLU* url, CURLUPart which) {
  char* text = nullptr;
  if (curl_url_get(url, which, &text, 0) != CURLUE_OK || text == nullptr) return {};
  std::string out(text);
  curl_free(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Status check_webhook_url(std::string_view url, const WebhookUrlPolicy& policy) {
  if (url.empty() || url.size() > kMaxWebhookUrlBytes) {
    return Error::invalid("url must be 1 to " + std::to_string(kMaxWebhookUrlBytes) + " bytes");
  }
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return Error::invalid("url must not contain spaces or controls");
  }
  std::unique_ptr<CURLU, UrlFree> parsed(curl_url());
  if (!parsed) return Error::internal("out of memory");
  const std::string text(url);
  if (curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return Error::invalid("url is not an absolute URL");
  }
  const std::string scheme = part(parsed.get(), CURLUPART_SCHEME);
  if (scheme != "https" && !(scheme == "http" && policy.allow_http)) {
    return Error::invalid(policy.allow_http ? "url must use http or https" : "url must use https");
  }
  if (!part(parsed.get(), CURLUPART_USER).empty() ||
      !part(parsed.get(), CURLUPART_PASSWORD).empty()) {
    return Error::invalid("url must not hold a user name or password");
  }
  const std::string host = part(parsed.get(), CURLUPART_HOST);
  if (host.empty()) return Error::invalid("url has no host");
  if (!policy.allow_private_addresses) {
    const bool local_name = host == "localhost" || host.ends_with(".localhost");
    const auto literal = is_public_ip_literal(host);
    if (local_name || (literal && !*literal)) {
      return Error::invalid("url must point to a public address");
    }
  }
  return {};
}

}  // namespace bl
