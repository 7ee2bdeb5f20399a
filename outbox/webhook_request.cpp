#include "outbox/webhook_request.hpp"

#include <algorithm>
#include <cctype>

#include "core/json.hpp"
#include "core/sealed_json.hpp"
#include "core/webhook_signature.hpp"

namespace bl {
namespace {

Result<std::string> open_box(const std::string& box_json, const DataKeyring& ring,
                             const Uuid& endpoint) {
  auto box = parse_json(box_json);
  if (!box.ok()) return box.error();
  return open_sealed(*box, ring, endpoint);
}

}  // namespace

Result<HttpCall> webhook_request(const ClaimedWebhook& d, const Config& config,
                                 std::int64_t timestamp_s) {
  auto url = open_box(d.url_box, config.keyring, d.endpoint_id);
  if (!url.ok()) return url.error();
  auto secret = open_box(d.secret_box, config.keyring, d.endpoint_id);
  if (!secret.ok()) return secret.error();
  auto key = webhook_signing_key(*secret);
  if (!key.ok()) return key.error();
  std::string scheme = url->substr(0, url->find(':'));
  for (char& c : scheme)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "https" && scheme != "http") return Error::invalid("webhook URL is not http(s)");
  HttpCall call;
  call.method = "POST";
  call.url = std::move(*url);
  call.headers = webhook_headers(*key, to_api_id(id_prefix::kWebhookEvent, d.delivery_id),
                                 timestamp_s, d.body);
  call.headers.push_back("Content-Type: application/json");
  call.headers.push_back("User-Agent: Batchline-Webhooks/1");
  call.body = d.body;
  call.timeout_ms = config.webhook_timeout_ms;
  call.connect_timeout_ms = std::min(config.webhook_timeout_ms, 5000);
  call.low_speed_seconds = std::max(1, config.webhook_timeout_ms / 1000);
  call.on_chunk = [](std::string_view) { return true; };  // an answer's body is not kept
  return call;
}

WebhookAnswer classify_webhook_answer(const HttpCallResult& r) {
  WebhookAnswer a;
  a.http_status = static_cast<int>(r.status);
  if (!r.transport_ok()) {
    a.http_status = 0;
    a.error_code = r.address_refused ? "address_refused"
                   : r.timed_out()   ? "timeout"
                                     : "connection_error";
  } else if (r.status >= 200 && r.status < 300) {
    a.delivered = true;
  } else {
    a.error_code = "non_2xx";
  }
  return a;
}

}  // namespace bl
