#include "outbox/relay_role.hpp"

#include <thread>

#include "outbox/relay.hpp"
#include "outbox/sweeper.hpp"
#include "outbox/webhook_sender.hpp"

namespace bl {

int run_relay_role(const Config& config, StopSignal& stop) {
  int sweeper_code = 0, webhooks_code = 0;
  std::thread sweeper([&] { sweeper_code = Sweeper(config, stop).run(); });
  std::thread webhooks([&] { webhooks_code = WebhookSender(config, stop).run(); });
  const int relay_code = Relay(config, stop).run();
  stop.request_stop();  // one part ending ends the role
  sweeper.join();
  webhooks.join();
  return relay_code | sweeper_code | webhooks_code;
}

}  // namespace bl
