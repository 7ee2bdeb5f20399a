#include "ingest/tenant_json.hpp"

namespace bl {
namespace {

std::optional<std::int64_t> seconds(const std::optional<std::int64_t>& ms) {
  return ms ? std::optional<std::int64_t>(*ms / 1000) : std::nullopt;
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
  w.optional_field("rate_limit_rpm", k.rate_limit_rpm);
  w.field("created_by", k.created_by);
  w.field("created_at", k.created_ms / 1000);
  w.optional_field("expires_at", seconds(k.expires_ms));
  w.optional_field("revoked_at", seconds(k.revoked_ms));
  w.optional_field("last_used_at", seconds(k.last_used_ms));
  w.end_object();
}

}  // namespace bl
