#pragma once
// A notification to one webhook endpoint, and the JSON body it is sent with. The body carries
// ids, the type and the time, never content (the receiver fetches the object with its key):
//
//   {"id": "evt_<hex>", "object": "event", "type": "job.succeeded", "created_at": <unix s>,
//    "data": {"id": "job_<hex>", "object": "job", "status": "succeeded", "batch_id": ...}}

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.hpp"

namespace bl {

struct WebhookNotice {
  Uuid delivery_id;  // the webhook-id and the body's id
  Uuid endpoint_id;
  std::string org_id;
  std::string workspace_id;
  std::string event_type;  // "job.succeeded", ...
  Uuid subject_id;         // the job or batch
  int subject_version = 0;
  std::int64_t occurred_ms = 0;
  std::string body;
};

// subject_api_id is "job_..." or "batch_..."; batch_api_id is the job's batch, if any.
std::string webhook_body(const Uuid& delivery_id, std::string_view event_type,
                         std::int64_t occurred_ms, std::string_view subject_api_id,
                         const std::optional<std::string>& batch_api_id);

}  // namespace bl
