#pragma once
// Writing deliveries into the outbox, inside the transaction whose events cause them. The
// relay (outbox/) is the only reader.

#include <cstdint>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "core/pg.hpp"

namespace bl {

// outbox.kind: who delivers the row. Job rows go to Redis streams (outbox/relay.cpp), webhook
// rows to HTTP endpoints (outbox/webhook_sender.cpp).
inline constexpr const char* kOutboxKindJob = "job";
inline constexpr const char* kOutboxKindWebhook = "webhook";

struct OutboxRow {
  Uuid job_id;
  std::string queue;  // the model id
  int attempt = 1;
  int priority = 500;
  std::int64_t due_at_ms = 0;  // 0 = now
};

// Inserts job rows in one statement and sends one NOTIFY for the transaction.
void insert_outbox_rows(pqxx::transaction_base& tx, const std::vector<OutboxRow>& rows);

}  // namespace bl
