#include "projections/webhook_queries.hpp"

#include "core/webhook_events.hpp"

namespace bl {
namespace {

constexpr const char* kEndpointColumns =
    "endpoint_id::text, version, org_id, workspace_id, url::text, secret::text,"
    " array_to_string(event_types, ','), status,"
    " (extract(epoch FROM created_at) * 1000)::bigint,"
    " (extract(epoch FROM updated_at) * 1000)::bigint";

WebhookEndpointRow to_endpoint(const pqxx::row& r) {
  WebhookEndpointRow row;
  row.endpoint_id = Uuid::parse(pg_view(r[0])).value_or(Uuid());
  row.version = r[1].as<int>();
  row.created = true;
  row.org_id = r[2].as<std::string>();
  row.workspace_id = r[3].as<std::string>();
  row.url_box = r[4].as<std::string>();
  row.secret_box = r[5].as<std::string>();
  std::string_view types = pg_view(r[6]);
  while (!types.empty()) {
    const auto comma = types.find(',');
    row.event_types.emplace_back(types.substr(0, comma));
    types = comma == std::string_view::npos ? std::string_view() : types.substr(comma + 1);
  }
  row.deleted = pg_view(r[7]) == "deleted";
  row.created_ms = r[8].as<std::int64_t>();
  row.updated_ms = r[9].as<std::int64_t>();
  return row;
}

std::optional<std::int64_t> opt_int(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::int64_t>(f.as<std::int64_t>());
}

}  // namespace

std::optional<WebhookEndpointRow> read_webhook_endpoint(pqxx::transaction_base& tx,
                                                        const Uuid& endpoint) {
  std::optional<WebhookEndpointRow> row;
  const auto rows = tx.exec_params(std::string("SELECT ") + kEndpointColumns +
                                       " FROM webhook_endpoints WHERE endpoint_id = $1::uuid",
                                   endpoint.to_string());
  if (!rows.empty()) row = to_endpoint(rows[0]);
  const auto events = read_stream(tx, endpoint);
  if (events.empty() || events.front().stream_type != kWebhookEndpointStreamType)
    return std::nullopt;
  if (row && row->version >= events.back().version) return row;
  // The projection lags behind the log: fold the stream (read-your-writes).
  WebhookEndpointRow folded;
  for (const auto& e : events)
    fold_webhook_endpoint_event(folded, e);
  if (!folded.created) return std::nullopt;
  return folded;
}

std::vector<WebhookEndpointRow> list_webhook_endpoints(pqxx::transaction_base& tx,
                                                       const std::string& workspace,
                                                       const std::optional<Uuid>& before,
                                                       int limit) {
  const auto rows = tx.exec_params(
      std::string("SELECT ") + kEndpointColumns +
          " FROM webhook_endpoints WHERE workspace_id = $1 AND status = 'enabled'"
          " AND ($2::uuid IS NULL OR endpoint_id < $2::uuid)"
          " ORDER BY endpoint_id DESC LIMIT $3",
      workspace, before ? std::optional<std::string>(before->to_string()) : std::nullopt, limit);
  std::vector<WebhookEndpointRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back(to_endpoint(r));
  return out;
}

std::vector<WebhookEndpointRow> enabled_webhook_endpoints(
    pqxx::transaction_base& tx, const std::vector<std::string>& workspaces) {
  std::vector<WebhookEndpointRow> out;
  if (workspaces.empty()) return out;
  for (const auto& r : tx.exec_params(std::string("SELECT ") + kEndpointColumns +
                                          " FROM webhook_endpoints WHERE status = 'enabled'"
                                          " AND workspace_id = ANY($1::text[])",
                                      pg_text_array(workspaces))) {
    out.push_back(to_endpoint(r));
  }
  return out;
}

int count_webhook_endpoints(pqxx::transaction_base& tx, const std::string& workspace) {
  return tx
      .exec_params1(
          "SELECT count(*) FROM webhook_endpoints WHERE workspace_id = $1"
          " AND status = 'enabled'",
          workspace)[0]
      .as<int>();
}

std::vector<WebhookDeliveryRow> list_webhook_deliveries(pqxx::transaction_base& tx,
                                                        const Uuid& endpoint,
                                                        const std::optional<Uuid>& before,
                                                        int limit) {
  const auto rows = tx.exec_params(
      "SELECT delivery_id::text, event_type, body, status, attempts, last_http_status,"
      " last_error, (extract(epoch FROM last_attempt_at) * 1000)::bigint,"
      " (extract(epoch FROM next_attempt_at) * 1000)::bigint,"
      " (extract(epoch FROM occurred_at) * 1000)::bigint"
      " FROM webhook_deliveries WHERE endpoint_id = $1::uuid"
      " AND ($2::uuid IS NULL OR delivery_id < $2::uuid)"
      " ORDER BY delivery_id DESC LIMIT $3",
      endpoint.to_string(), before ? std::optional<std::string>(before->to_string()) : std::nullopt,
      limit);
  std::vector<WebhookDeliveryRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    WebhookDeliveryRow d;
    d.delivery_id = Uuid::parse(pg_view(r[0])).value_or(Uuid());
    d.event_type = r[1].as<std::string>();
    d.body = r[2].as<std::string>();
    d.status = r[3].as<std::string>();
    d.attempts = r[4].as<int>();
    d.last_http_status = opt_int(r[5]);
    if (!r[6].is_null()) d.last_error = r[6].as<std::string>();
    d.last_attempt_ms = opt_int(r[7]);
    d.next_attempt_ms = opt_int(r[8]);
    d.occurred_ms = r[9].as<std::int64_t>();
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace bl
