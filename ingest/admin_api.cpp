#include "ingest/admin_api.hpp"

#include "core/api_error.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "ingest/access.hpp"
#include "ingest/key_store.hpp"
#include "ingest/list_page.hpp"
#include "ingest/pool_replies.hpp"
#include "ingest/tenant_json.hpp"
#include "ingest/tenant_store.hpp"

namespace bl {
namespace {

constexpr int kDefaultLimit = 20;
constexpr int kMaxLimit = 100;
constexpr std::size_t kAdminBodyBytes = 16 << 10;

// The JSON object of a request body; every member must be one of `allowed`.
Result<JsonDocument> body_object(const HttpRequest& request,
                                 std::initializer_list<std::string_view> allowed) {
  auto doc = parse_json(request.body.empty() ? std::string_view("{}") : request.body);
  if (!doc.ok()) return doc.error();
  if (!doc->IsObject()) return Error::invalid("the body must be a JSON object");
  for (auto it = doc->MemberBegin(); it != doc->MemberEnd(); ++it) {
    bool known = false;
    for (auto a : allowed)
      known = known || as_view(it->name) == a;
    if (!known) return Error::invalid("unknown field " + std::string(as_view(it->name)));
  }
  return doc;
}

Result<std::string> string_member(const JsonValue& body, std::string_view name, bool required) {
  const JsonValue* v = json_member(body, name);
  if (v == nullptr || v->IsNull()) {
    if (required) return Error::invalid(std::string(name) + " is required");
    return std::string();
  }
  if (!v->IsString()) return Error::invalid(std::string(name) + " must be a string");
  return std::string(as_view(*v));
}

// The organization an admin-or-operator call acts on: an admin's own (naming another one is
// answered as if it did not exist), or the one an operator names.
Result<std::string> target_org(const Principal& caller, const std::string& requested) {
  if (caller.scope == Scope::kOperator) {
    if (requested.empty()) return Error::invalid("organization_id is required for operator keys");
    return requested;
  }
  if (!requested.empty() && requested != caller.org_id) {
    return Error::not_found("no such organization");
  }
  return caller.org_id;
}

HttpResponse created(int status, const std::function<void(JsonWriter&)>& write) {
  JsonWriter w;
  write(w);
  return HttpResponse::json(status, w.str());
}

template <class T>
HttpResponse list_answer(const std::vector<T>& items, bool has_more,
                         void (*write)(JsonWriter&, const T&)) {
  std::vector<std::string> ids;
  for (const auto& item : items)
    ids.push_back(item.id);
  return HttpResponse::json(
      200, list_json(ids, has_more, [&](JsonWriter& w, std::size_t i) { write(w, items[i]); }));
}

void write_key(JsonWriter& w, const ApiKeyRecord& k) {
  write_api_key_json(w, k);
}

}  // namespace

void AdminApi::add_routes(Router& router) {
  auto route = [&](const char* method, const char* pattern,
                   void (AdminApi::*fn)(HttpRequest&, Responder)) {
    router.add(method, pattern, kAdminBodyBytes,
               [this, fn](HttpRequest& r, Responder res) { (this->*fn)(r, res); });
  };
  route("POST", "/v1/organizations", &AdminApi::create_organization);
  route("GET", "/v1/organizations", &AdminApi::list_organizations);
  route("POST", "/v1/organization/workspaces", &AdminApi::create_workspace);
  route("GET", "/v1/organization/workspaces", &AdminApi::list_workspaces);
  route("POST", "/v1/organization/keys", &AdminApi::create_key);
  route("GET", "/v1/organization/keys", &AdminApi::list_keys);
  route("GET", "/v1/organization/keys/{id}", &AdminApi::get_key);
  route("POST", "/v1/organization/keys/{id}/revoke", &AdminApi::revoke_key);
}

void AdminApi::run_write(Responder responder, CommandAudit audit, EventMetadata meta, Write write) {
  auto task = [this, responder, audit = std::move(audit), meta = std::move(meta),
               write = std::move(write)](pqxx::connection& conn) mutable {
    auto answer = pg_call([&]() -> Result<HttpResponse> {
      pqxx::work tx(conn);
      auto r = write(tx);
      if (r.ok()) tx.commit();
      return r;
    });
    if (!answer.ok()) {
      const int status = http_status_for(answer.error().code);
      if (status < 500) {
        audit.status = status;
        audit.error_code = error_code_name(answer.error().code);
        record_rejected_command(pool_, audit, meta);
      }
      return responder.send(database_error_response(answer.error()));
    }
    responder.send(std::move(*answer));
  };
  run_on_pool(pool_, responder, std::move(task));
}

void AdminApi::run_read(Responder responder, Read read) {
  auto task = [responder, read = std::move(read)](pqxx::connection& conn) {
    auto answer = pg_call([&]() -> Result<HttpResponse> {
      pqxx::read_transaction tx(conn);
      return read(tx);
    });
    responder.send(answer.ok() ? std::move(*answer) : database_error_response(answer.error()));
  };
  run_on_pool(pool_, responder, std::move(task));
}

void AdminApi::create_organization(HttpRequest& request, Responder responder) {
  auto caller = command_caller(&operator_caller, auth_, pool_, request,
                               {"organizations.create", "organization", "", 0, ""});
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  auto body = body_object(request, {"name"});
  auto name = body.ok() ? string_member(*body, "name", true) : Result<std::string>(body.error());
  if (!name.ok()) return responder.send(error_response(name.error()));
  run_write(responder, {"organizations.create", "organization", "", 201, ""},
            caller_metadata(*caller, request),
            [this, name = *name, meta = caller_metadata(*caller, request)](
                pqxx::transaction_base& tx) -> Result<HttpResponse> {
              auto org = bl::create_organization(tx, config_.keyring, name, meta);
              if (!org.ok()) return org.error();
              return created(201, [&](JsonWriter& w) { write_organization_json(w, *org); });
            });
}

void AdminApi::list_organizations(HttpRequest& request, Responder responder) {
  auto caller = operator_caller(auth_, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  auto page = parse_page(request, kDefaultLimit, kMaxLimit);
  if (!page.ok()) return responder.send(error_response(page.error()));
  run_read(responder, [this, page = *page](pqxx::transaction_base& tx) -> Result<HttpResponse> {
    bool more = false;
    auto orgs = bl::list_organizations(tx, config_.keyring, page, &more);
    return list_answer(orgs, more, &write_organization_json);
  });
}

void AdminApi::create_workspace(HttpRequest& request, Responder responder) {
  auto caller = command_caller(&admin_caller, auth_, pool_, request,
                               {"workspaces.create", "workspace", "", 0, ""});
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  const EventMetadata meta = caller_metadata(*caller, request);
  auto body = body_object(request, {"name", "organization_id"});
  if (!body.ok()) return responder.send(error_response(body.error()));
  auto name = string_member(*body, "name", true);
  auto requested = string_member(*body, "organization_id", false);
  auto org =
      requested.ok() ? target_org(*caller, *requested) : Result<std::string>(requested.error());
  const CommandAudit audit{"workspaces.create", "workspace", "", 201, ""};
  for (const Result<std::string>* r : {&name, &org}) {
    if (r->ok()) continue;
    record_rejected_command(pool_,
                            {audit.action, audit.target_type, "", http_status_for(r->error().code),
                             error_code_name(r->error().code)},
                            meta);
    return responder.send(error_response(r->error()));
  }
  run_write(
      responder, audit, meta,
      [this, name = *name, org = *org, meta](pqxx::transaction_base& tx) -> Result<HttpResponse> {
        auto ws = bl::create_workspace(tx, config_.keyring, org, name, meta);
        if (!ws.ok()) return ws.error();
        return created(201, [&](JsonWriter& w) { write_workspace_json(w, *ws); });
      });
}

void AdminApi::list_workspaces(HttpRequest& request, Responder responder) {
  auto caller = admin_caller(auth_, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  auto page = parse_page(request, kDefaultLimit, kMaxLimit);
  if (!page.ok()) return responder.send(error_response(page.error()));
  auto org = target_org(*caller, request.query_param("organization_id").value_or(""));
  if (!org.ok()) return responder.send(error_response(org.error()));
  run_read(responder,
           [this, page = *page, org = *org](pqxx::transaction_base& tx) -> Result<HttpResponse> {
             bool more = false;
             auto list = bl::list_workspaces(tx, config_.keyring, org, page, &more);
             return list_answer(list, more, &write_workspace_json);
           });
}

void AdminApi::create_key(HttpRequest& request, Responder responder) {
  auto caller =
      command_caller(&admin_caller, auth_, pool_, request, {"keys.create", "api_key", "", 0, ""});
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  const EventMetadata meta = caller_metadata(*caller, request);
  const CommandAudit audit{"keys.create", "api_key", "", 201, ""};
  auto parsed = [&]() -> Result<NewApiKey> {
    auto body = body_object(request, {"scope", "workspace_id", "organization_id", "name",
                                      "expires_at", "rate_limit_rpm"});
    if (!body.ok()) return body.error();
    NewApiKey k;
    auto scope = string_member(*body, "scope", false);
    auto ws = string_member(*body, "workspace_id", false);
    auto org = string_member(*body, "organization_id", false);
    auto name = string_member(*body, "name", false);
    for (const auto* r : {&scope, &ws, &org, &name}) {
      if (!r->ok()) return r->error();
    }
    auto s = parse_scope(scope->empty() ? "client" : *scope);
    if (!s || *s == Scope::kOperator) {
      return Error::invalid("scope must be client or admin (operator keys are made with the CLI)");
    }
    k.scope = *s;
    k.workspace_id = *ws;
    k.name = *name;
    if (const JsonValue* v = json_member(*body, "expires_at"); v != nullptr && !v->IsNull()) {
      if (!v->IsInt64()) return Error::invalid("expires_at must be a Unix time in seconds");
      k.expires_ms = v->GetInt64() * 1000;
    }
    if (const JsonValue* v = json_member(*body, "rate_limit_rpm"); v != nullptr && !v->IsNull()) {
      if (!v->IsInt() || v->GetInt() < 1) {
        return Error::invalid("rate_limit_rpm must be a positive integer");
      }
      k.rate_limit_rpm = v->GetInt();
    }
    // An admin acts on its own organization; an operator must name one.
    auto target = k.scope == Scope::kClient && caller->scope == Scope::kOperator && org->empty()
                      ? Result<std::string>(std::string())
                      : target_org(*caller, *org);
    if (!target.ok()) return target.error();
    if (k.scope == Scope::kAdmin) k.org_id = *target;
    return k;
  }();
  if (!parsed.ok()) {
    record_rejected_command(
        pool_,
        {audit.action, audit.target_type, "", http_status_for(parsed.error().code),
         error_code_name(parsed.error().code)},
        meta);
    return responder.send(error_response(parsed.error()));
  }
  const std::string org_scope = caller->scope == Scope::kOperator ? "" : caller->org_id;
  run_write(responder, audit, meta,
            [this, k = std::move(*parsed), org_scope,
             meta](pqxx::transaction_base& tx) -> Result<HttpResponse> {
              auto key =
                  create_api_key(tx, config_.keyring, config_.key_pepper, k, org_scope, meta);
              if (!key.ok()) return key.error();
              log::info("keys.created", {{"request_id", log::id(meta.request_id)},
                                         {"key_id", log::id(key->record.id)},
                                         {"scope", log::code(scope_name(key->record.scope))}});
              return created(
                  201, [&](JsonWriter& w) { write_api_key_json(w, key->record, &key->secret); });
            });
}

void AdminApi::list_keys(HttpRequest& request, Responder responder) {
  auto caller = admin_caller(auth_, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  auto page = parse_page(request, kDefaultLimit, kMaxLimit);
  if (!page.ok()) return responder.send(error_response(page.error()));
  ApiKeyFilter filter;
  filter.org_id = caller->scope == Scope::kOperator
                      ? request.query_param("organization_id").value_or("")
                      : caller->org_id;
  filter.workspace_id = request.query_param("workspace_id").value_or("");
  filter.include_revoked = request.query_param("include_revoked").value_or("") == "true";
  run_read(responder,
           [this, page = *page, filter](pqxx::transaction_base& tx) -> Result<HttpResponse> {
             bool more = false;
             auto keys = list_api_keys(tx, config_.keyring, filter, page, &more);
             return list_answer(keys, more, &write_key);
           });
}

void AdminApi::get_key(HttpRequest& request, Responder responder) {
  auto caller = admin_caller(auth_, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  const std::string org_scope = caller->scope == Scope::kOperator ? "" : caller->org_id;
  run_read(responder,
           [this, id = std::string(request.path_param("id")),
            org_scope](pqxx::transaction_base& tx) -> Result<HttpResponse> {
             auto key = find_api_key(tx, config_.keyring, id);
             if (!key || (!org_scope.empty() && key->org_id != org_scope)) {
               return Error::not_found("no such API key");
             }
             return created(200, [&](JsonWriter& w) { write_api_key_json(w, *key); });
           });
}

void AdminApi::revoke_key(HttpRequest& request, Responder responder) {
  const std::string id(request.path_param("id"));
  auto caller =
      command_caller(&admin_caller, auth_, pool_, request, {"keys.revoke", "api_key", id, 0, ""});
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  const EventMetadata meta = caller_metadata(*caller, request);
  const std::string org_scope = caller->scope == Scope::kOperator ? "" : caller->org_id;
  run_write(responder, {"keys.revoke", "api_key", id, 200, ""}, meta,
            [this, id, org_scope, meta](pqxx::transaction_base& tx) -> Result<HttpResponse> {
              auto key = revoke_api_key(tx, config_.keyring, id, org_scope, meta);
              if (!key.ok()) return key.error();
              log::info("keys.revoked",
                        {{"request_id", log::id(meta.request_id)}, {"key_id", log::id(id)}});
              return created(200, [&](JsonWriter& w) { write_api_key_json(w, *key); });
            });
}

}  // namespace bl
