#pragma once
// The API's JSON view of organizations, workspaces and API keys (also printed by the CLI).
// An API key object never carries the key itself; only the creation answer adds "key".

#include "core/json.hpp"
#include "ingest/key_store.hpp"
#include "ingest/tenant_store.hpp"

namespace bl {

void write_organization_json(JsonWriter& w, const Organization& o);
void write_workspace_json(JsonWriter& w, const Workspace& ws);
// secret: the key, only in the answer that creates it.
void write_api_key_json(JsonWriter& w, const ApiKeyRecord& k, const std::string* secret = nullptr);

}  // namespace bl
