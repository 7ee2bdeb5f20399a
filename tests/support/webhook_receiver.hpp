#pragma once
// The test webhook receiver (webhook_receiver.py) as a child process, and what it logged.

#include <memory>
#include <string>
#include <vector>

#include "tests/support/test_env.hpp"

namespace bl::test {

struct ReceivedWebhook {
  std::string webhook_id;
  std::string timestamp;
  bool signature_valid = false;  // checked by the receiver's own HMAC code
  bool timestamp_fresh = false;
  int answered = 0;  // the status the receiver answered
  std::string content_type;
  std::string body;
};

class WebhookReceiver {
 public:
  // Listens on 127.0.0.1:port; answers 500 to the first fail_first requests of each id, and
  // every request delay_ms after it arrived.
  WebhookReceiver(int port, const std::string& secret, int fail_first, int delay_ms = 0);
  bool ready() const;
  std::string url() const;
  std::vector<ReceivedWebhook> received() const;

 private:
  int port_;
  std::string log_path_;
  std::unique_ptr<Process> process_;
};

}  // namespace bl::test
