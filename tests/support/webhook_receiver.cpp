#include "tests/support/webhook_receiver.hpp"

#include <unistd.h>

#include <sstream>

#include "core/json.hpp"

namespace bl::test {
namespace {

std::string python() {
  return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

}  // namespace

WebhookReceiver::WebhookReceiver(int port, const std::string& secret, int fail_first, int delay_ms)
    : port_(port), log_path_(scratch_dir() + "/received-" + std::to_string(port) + ".jsonl") {
  process_ = std::make_unique<Process>(
      python(),
      std::vector<std::string>{std::string(BL_SOURCE_DIR) + "/tests/support/webhook_receiver.py",
                               std::to_string(port), secret, log_path_, std::to_string(fail_first),
                               std::to_string(delay_ms)},
      RoleEnv{}, scratch_dir() + "/receiver-" + std::to_string(port) + ".log");
}

bool WebhookReceiver::ready() const {
  return wait_until([&] {
    return http("GET", "http://127.0.0.1:" + std::to_string(port_) + "/healthz").status == 200;
  });
}

std::string WebhookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/batchline";
}

std::vector<ReceivedWebhook> WebhookReceiver::received() const {
  std::vector<ReceivedWebhook> out;
  std::istringstream lines(read_file(log_path_));
  std::string line;
  while (std::getline(lines, line)) {
    auto doc = parse_json(line);
    if (!doc.ok() || !doc->IsObject()) continue;  // a line still being written
    ReceivedWebhook r;
    r.webhook_id = std::string(json_string(*doc, "webhook_id").value_or(""));
    r.timestamp = std::string(json_string(*doc, "timestamp").value_or(""));
    r.signature_valid = json_bool(*doc, "signature_valid").value_or(false);
    r.timestamp_fresh = json_bool(*doc, "timestamp_fresh").value_or(false);
    r.answered = static_cast<int>(json_int(*doc, "answered").value_or(0));
    r.content_type = std::string(json_string(*doc, "content_type").value_or(""));
    r.body = std::string(json_string(*doc, "body").value_or(""));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace bl::test
