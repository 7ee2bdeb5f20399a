#include "ingest/webhooks_api.hpp"

#include "core/api_error.hpp"
#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "core/log.hpp"
#include "core/webhook_events.hpp"
#include "core/webhook_signature.hpp"
#include "ingest/command_audit.hpp"
#include "ingest/list_page.hpp"
#include "ingest/pool_replies.hpp"
#include "ingest/webhook_json.hpp"
#include "ingest/webhook_validation.hpp"
#include "projections/webhook_queries.hpp"

namespace bl {
namespace {

constexpr int kMaxEndpointsPerWorkspace = 20;
constexpr const char* kTargetType = "webhook_endpoint";

HttpResponse not_found() {
  return error_response(404, "not_found", "no such webhook endpoint");
}

EventMetadata metadata_of(const Principal& p, const HttpRequest& request) {
  return EventMetadata{p.org_id, p.workspace_id, p.key_id, request.request_id, std::nullopt};
}

// The endpoint when it exists, is not deleted and belongs to the workspace; another
// workspace's endpoint is treated exactly as a missing one.
std::optional<WebhookEndpointRow> owned_endpoint(pqxx::transaction_base& tx, const Uuid& id,
                                                 const std::string& workspace) {
  auto row = read_webhook_endpoint(tx, id);
  if (!row || row->deleted || row->workspace_id != workspace) return std::nullopt;
  return row;
}

std::optional<Uuid> parse_before(const std::optional<std::string>& after, std::string_view prefix) {
  if (!after) return std::nullopt;
  return from_api_id(prefix, *after);
}

}  // namespace

void WebhooksApi::add_routes(Router& router) {
  router.add("POST", "/v1/webhooks", [this](HttpRequest& r, Responder res) { create(r, res); });
  router.add("GET", "/v1/webhooks", [this](HttpRequest& r, Responder res) { list(r, res); });
  router.add("GET", "/v1/webhooks/{id}", [this](HttpRequest& r, Responder res) { get(r, res); });
  router.add("DELETE", "/v1/webhooks/{id}",
             [this](HttpRequest& r, Responder res) { remove(r, res); });
  router.add("GET", "/v1/webhooks/{id}/deliveries",
             [this](HttpRequest& r, Responder res) { deliveries(r, res); });
}

void WebhooksApi::create(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta = metadata_of(*principal, request);
  WebhookValidation v = validate_webhook_endpoint(
      request.body, {config_.webhook_allow_http, config_.webhook_allow_private_addresses});
  if (v.error) {
    record_rejected_command(pool_, {"webhooks.create", kTargetType, "", 400, v.error->code}, meta);
    return responder.send(error_response(*v.error));
  }
  run_on_pool(
      pool_, responder,
      [this, responder, meta = std::move(meta),
       endpoint = std::move(v.request)](pqxx::connection& conn) {
        WebhookEndpointRow row;
        row.endpoint_id = Uuid::generate_v7();
        row.event_types = endpoint.event_types;
        row.created_ms = row.endpoint_id.v7_millis();
        const std::string api_id = to_api_id(id_prefix::kWebhookEndpoint, row.endpoint_id);
        const std::string secret = new_webhook_secret();
        auto data = encode(WebhookEndpointCreated{endpoint.url, secret, endpoint.event_types},
                           config_.keyring, row.endpoint_id);
        if (!data.ok()) return responder.send(error_response(data.error()));
        bool full = false;
        auto committed = pg_call([&]() -> Status {
          pqxx::work tx(conn);
          // The read model may lag by a projector poll: the limit is approximate under bursts.
          if (count_webhook_endpoints(tx, meta.workspace_id) >= kMaxEndpointsPerWorkspace) {
            full = true;
            return {};
          }
          const std::vector<StreamAppend> appends = {
              {row.endpoint_id,
               std::string(kWebhookEndpointStreamType),
               0,
               {{std::string(webhook_event::kEndpointCreated), std::move(*data),
                 encode_metadata(meta)}}},
              audit_append({"webhooks.create", kTargetType, api_id, 201, ""}, meta)};
          if (auto s = append_events(tx, appends); !s.ok()) return s;
          tx.commit();
          return {};
        });
        if (full) {
          record_rejected_command(
              pool_, {"webhooks.create", kTargetType, "", 400, "too_many_webhook_endpoints"}, meta);
          return responder.send(error_response(400, "too_many_webhook_endpoints",
                                               "a workspace may register at most 20 endpoints"));
        }
        if (!committed.ok()) return responder.send(database_error_response(committed.error()));
        log::info("webhooks.created", {{"request_id", log::id(meta.request_id)},
                                       {"workspace_id", log::id(meta.workspace_id)},
                                       {"endpoint_id", log::id(api_id)}});
        JsonWriter w;
        write_webhook_endpoint_json(w, row, endpoint.url, secret);
        responder.send(HttpResponse::json(201, w.str()));
      });
}

void WebhooksApi::list(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  auto page = parse_page(request, 20, 100);
  if (!page.ok()) {
    return responder.send(error_response(400, "invalid_limit", page.error().message, "limit"));
  }
  run_on_pool(
      pool_, responder,
      [this, responder, page = *page, workspace = principal->workspace_id](pqxx::connection& conn) {
        auto rows = pg_call([&]() -> Result<std::vector<WebhookEndpointRow>> {
          pqxx::read_transaction tx(conn);
          return list_webhook_endpoints(
              tx, workspace, parse_before(page.after, id_prefix::kWebhookEndpoint), page.limit + 1);
        });
        if (!rows.ok()) return responder.send(database_error_response(rows.error()));
        const bool has_more = rows->size() > static_cast<std::size_t>(page.limit);
        if (has_more) rows->pop_back();
        std::vector<std::string> ids;
        for (const auto& r : *rows)
          ids.push_back(to_api_id(id_prefix::kWebhookEndpoint, r.endpoint_id));
        responder.send(
            HttpResponse::json(200, list_json(ids, has_more, [&](JsonWriter& w, std::size_t i) {
                                 write_webhook_endpoint_json(
                                     w, (*rows)[i], open_webhook_url((*rows)[i], config_.keyring));
                               })));
      });
}

void WebhooksApi::get(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  const auto id = from_api_id(id_prefix::kWebhookEndpoint, request.path_param("id"));
  if (!id) return responder.send(not_found());
  run_on_pool(
      pool_, responder,
      [this, responder, id = *id, workspace = principal->workspace_id](pqxx::connection& conn) {
        auto row = pg_call([&]() -> Result<std::optional<WebhookEndpointRow>> {
          pqxx::read_transaction tx(conn);
          return owned_endpoint(tx, id, workspace);
        });
        if (!row.ok()) return responder.send(database_error_response(row.error()));
        if (!row->has_value()) return responder.send(not_found());
        JsonWriter w;
        write_webhook_endpoint_json(w, **row, open_webhook_url(**row, config_.keyring));
        responder.send(HttpResponse::json(200, w.str()));
      });
}

void WebhooksApi::remove(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta = metadata_of(*principal, request);
  const std::string api_id(request.path_param("id"));
  const auto id = from_api_id(id_prefix::kWebhookEndpoint, api_id);
  if (!id) {
    record_rejected_command(pool_, {"webhooks.delete", kTargetType, "", 404, "not_found"}, meta);
    return responder.send(not_found());
  }
  run_on_pool(
      pool_, responder,
      [this, responder, meta = std::move(meta), id = *id, api_id](pqxx::connection& conn) {
        bool missing = false;
        auto committed = pg_call([&]() -> Status {
          pqxx::work tx(conn);
          // From the log, not the read model: the version to append at must be the stream's.
          const auto events = read_stream(tx, id);
          WebhookEndpointRow row;
          for (const auto& e : events)
            fold_webhook_endpoint_event(row, e);
          if (!row.created || row.deleted || row.workspace_id != meta.workspace_id) {
            missing = true;
            return {};
          }
          const std::vector<StreamAppend> appends = {
              {id,
               std::string(kWebhookEndpointStreamType),
               row.version,
               {{std::string(webhook_event::kEndpointDeleted), "{}", encode_metadata(meta)}}},
              audit_append({"webhooks.delete", kTargetType, api_id, 200, ""}, meta)};
          if (auto s = append_events(tx, appends); !s.ok()) return s;
          tx.commit();
          return {};
        });
        if (missing) {
          record_rejected_command(pool_, {"webhooks.delete", kTargetType, api_id, 404, "not_found"},
                                  meta);
          return responder.send(not_found());
        }
        if (!committed.ok()) {
          if (committed.error().code == ErrorCode::kVersionConflict) {
            return responder.send(
                error_response(409, "conflict", "the endpoint changed meanwhile; retry"));
          }
          return responder.send(database_error_response(committed.error()));
        }
        log::info("webhooks.deleted",
                  {{"request_id", log::id(meta.request_id)}, {"endpoint_id", log::id(api_id)}});
        JsonWriter w;
        w.begin_object();
        w.field("id", api_id).field("object", "webhook_endpoint.deleted").field("deleted", true);
        w.end_object();
        responder.send(HttpResponse::json(200, w.str()));
      });
}

void WebhooksApi::deliveries(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  const auto id = from_api_id(id_prefix::kWebhookEndpoint, request.path_param("id"));
  if (!id) return responder.send(not_found());
  auto page = parse_page(request, 20, 100);
  if (!page.ok()) {
    return responder.send(error_response(400, "invalid_limit", page.error().message, "limit"));
  }
  run_on_pool(pool_, responder,
              [responder, id = *id, page = *page,
               workspace = principal->workspace_id](pqxx::connection& conn) {
                bool missing = false;
                auto rows = pg_call([&]() -> Result<std::vector<WebhookDeliveryRow>> {
                  pqxx::read_transaction tx(conn);
                  if (!owned_endpoint(tx, id, workspace)) {
                    missing = true;
                    return std::vector<WebhookDeliveryRow>();
                  }
                  return list_webhook_deliveries(
                      tx, id, parse_before(page.after, id_prefix::kWebhookEvent), page.limit + 1);
                });
                if (!rows.ok()) return responder.send(database_error_response(rows.error()));
                if (missing) return responder.send(not_found());
                const bool has_more = rows->size() > static_cast<std::size_t>(page.limit);
                if (has_more) rows->pop_back();
                std::vector<std::string> ids;
                for (const auto& r : *rows)
                  ids.push_back(to_api_id(id_prefix::kWebhookEvent, r.delivery_id));
                responder.send(HttpResponse::json(
                    200, list_json(ids, has_more, [&](JsonWriter& w, std::size_t i) {
                      write_webhook_delivery_json(w, (*rows)[i], id);
                    })));
              });
}

}  // namespace bl
