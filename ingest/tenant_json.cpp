#include "ingest/tenant_json.hpp"

namespace bl {
namespace {

void seconds_field(JsonWriter& w, std::string_view key, const std::optional<std::int64_t>& ms) {
  w.key(key);
  if (ms) {
    w.value(*ms / 1000);
  } else {
    w.null();
  }
}

void id_or_null(JsonWriter& w, std::string_view key, const std::string& id) {
  w.key(key);
  if (id.empty()) {
    w.null();
  } else {
    w.value(id);
  }
}

}  // namespace

void write_organization_json(JsonWriter& w, const Organization& o) {
  w.begin_object();
  w.field("id", o.id);
  w.field("object", "organization");
  w.field("name", o.name);
  w.field("created_at", o.created_ms / 1000);
  w.end_object();
}

void write_workspace_json(JsonWriter& w, const Workspace& ws) {
  w.begin_object();
  w.field("id", ws.id);
  w.field("object", "workspace");
  w.field("organization_id", ws.org_id);
  w.field("name", ws.name);
  w.field("created_at", ws.created_ms / 1000);
  w.end_object();
}

void write_api_key_json(JsonWriter& w, const ApiKeyRecord& k, const std::string* secret) {
  w.begin_object();
  w.field("id", k.id);
  w.field("object", "api_key");
  if (secret != nullptr) w.field("key", *secret);
  w.field("scope", scope_name(k.scope));
  id_or_null(w, "organization_id", k.org_id);
  id_or_null(w, "workspace_id", k.workspace_id);
  id_or_null(w, "name", k.name);
  w.key("rate_limit_rpm");
  if (k.rate_limit_rpm) {
    w.value(*k.rate_limit_rpm);
  } else {
    w.null();
  }
  w.field("created_by", k.created_by);
  w.field("created_at", k.created_ms / 1000);
  seconds_field(w, "expires_at", k.expires_ms);
  seconds_field(w, "revoked_at", k.revoked_ms);
  seconds_field(w, "last_used_at", k.last_used_ms);
  w.end_object();
}

}  // namespace bl
