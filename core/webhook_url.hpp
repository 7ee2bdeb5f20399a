#pragma once
// The rules for a webhook endpoint URL, checked when a client registers one.

#include <string_view>

#include "core/result.hpp"

namespace bl {

struct WebhookUrlPolicy {
  bool allow_http = false;               // else https only
  bool allow_private_addresses = false;  // see core/address_policy.hpp
};

inline constexpr std::size_t kMaxWebhookUrlBytes = 2048;

// An absolute http(s) URL with a host, no user name or password, at most kMaxWebhookUrlBytes;
// "localhost" and non-public IP literals only when the policy allows private addresses. The
// error message says what is wrong without quoting the URL.
Status check_webhook_url(std::string_view url, const WebhookUrlPolicy& policy);

}  // namespace bl
