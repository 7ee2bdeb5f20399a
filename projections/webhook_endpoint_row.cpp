#include "projections/webhook_endpoint_row.hpp"

#include <algorithm>

#include "core/job_events.hpp"
#include "core/webhook_events.hpp"

namespace bl {

bool WebhookEndpointRow::subscribes_to(std::string_view type) const {
  return std::find(event_types.begin(), event_types.end(), type) != event_types.end();
}

void fold_webhook_endpoint_event(WebhookEndpointRow& row, const RecordedEvent& e) {
  if (e.type == webhook_event::kEndpointCreated) {
    auto sealed = decode_webhook_endpoint_created(e.data);
    if (!sealed.ok()) return;
    const EventMetadata m = decode_metadata(e.metadata);
    row.created = true;
    row.org_id = m.org_id;
    row.workspace_id = m.workspace_id;
    row.url_box = std::move(sealed->url_box);
    row.secret_box = std::move(sealed->secret_box);
    row.event_types = std::move(sealed->event_types);
    row.created_ms = e.recorded_at_ms;
  } else if (e.type == webhook_event::kEndpointDeleted) {
    row.deleted = true;
  } else {
    return;
  }
  row.endpoint_id = e.stream_id;
  row.version = e.version;
  row.updated_ms = e.recorded_at_ms;
}

}  // namespace bl
