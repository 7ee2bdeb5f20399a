#pragma once
// The "webhooks" projection. In one pass over the log it
//   - folds webhook_endpoint streams into webhook_endpoints;
//   - turns job and batch events that endpoints subscribe to into notifications: a
//     webhook_deliveries row and a 'webhook' outbox row each, in the transaction that moves the
//     checkpoint, so each is enqueued exactly once (a unique key also guards replays and
//     rebuilds; events older than a day are not notified, so a rebuild never re-sends old news);
//   - folds webhook_delivery streams (attempts) into webhook_deliveries.
// Endpoint events and subject events are taken in log order: an endpoint is notified of what
// happened after it was created and before it was deleted.

#include "projections/projection.hpp"

namespace bl {

class WebhooksProjection final : public Projection {
 public:
  std::string_view name() const override { return "webhooks"; }
  void apply(pqxx::transaction_base& tx, const std::vector<RecordedEvent>& events) override;
};

}  // namespace bl
