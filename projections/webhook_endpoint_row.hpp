#pragma once
// A webhook endpoint as the read model holds it, and the fold of its events. The projection
// folds pages; ingest folds one stream when the read model lags (read-your-writes).

#include <cstdint>
#include <string>
#include <vector>

#include "core/event_log.hpp"
#include "core/ids.hpp"

namespace bl {

struct WebhookEndpointRow {
  Uuid endpoint_id;
  int version = 0;       // last stream version folded in
  bool created = false;  // the page held WebhookEndpointCreated (else only later events)
  bool deleted = false;
  std::string org_id;
  std::string workspace_id;
  std::string url_box;     // sealed boxes, JSON text
  std::string secret_box;  //
  std::vector<std::string> event_types;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;

  bool subscribes_to(std::string_view type) const;
};

// Folds one endpoint event into row; events come in version order, unknown types are skipped.
void fold_webhook_endpoint_event(WebhookEndpointRow& row, const RecordedEvent& event);

}  // namespace bl
