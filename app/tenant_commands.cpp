#include "app/tenant_commands.hpp"

#include <charconv>
#include <cstdio>
#include <functional>

#include "app/flags.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"
#include "ingest/key_store.hpp"
#include "ingest/pool_replies.hpp"
#include "ingest/tenant_json.hpp"
#include "ingest/tenant_store.hpp"

namespace bl {
namespace {

constexpr int kListLimit = 100;

int usage(const char* text) {
  std::fprintf(stderr, "usage: batchline %s\n", text);
  return 2;
}

int refused(const Error& e) {
  std::fprintf(stderr, "batchline: %s\n", e.message.c_str());
  return 1;
}

// "90d", "12h", "30m", "45s" or plain seconds.
std::optional<std::int64_t> parse_duration_ms(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1000;
  std::string digits = text;
  switch (text.back()) {
    case 'd':
      unit = 86400000;
      digits.pop_back();
      break;
    case 'h':
      unit = 3600000;
      digits.pop_back();
      break;
    case 'm':
      unit = 60000;
      digits.pop_back();
      break;
    case 's':
      digits.pop_back();
      break;
    default:
      break;
  }
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || p != digits.data() + digits.size() || n <= 0 || n > 36500LL * 86400)
    return std::nullopt;
  return n * unit;
}

EventMetadata cli_actor() {
  EventMetadata m;
  m.request_id = "cli_" + hex_encode(random_bytes(8));
  return m;
}

// Runs fn in one transaction and commits when it succeeds.
int in_transaction(const Config& config, const std::function<Status(pqxx::work&)>& fn) {
  auto conn = pg_connect(config.database_url);
  if (!conn.ok()) return refused(conn.error());
  auto s = pg_call([&]() -> Status {
    pqxx::work tx(**conn);
    if (auto st = fn(tx); !st.ok()) return st;
    tx.commit();
    return {};
  });
  return s.ok() ? 0 : refused(s.error());
}

void print_json(const std::function<void(JsonWriter&)>& write) {
  JsonWriter w;
  write(w);
  std::printf("%s\n", std::string(w.view()).c_str());
}

// One object: its JSON with --json, else `text`.
template <class T>
void show(const T& item, bool json, void (*write)(JsonWriter&, const T&), const std::string& text) {
  if (json) {
    print_json([&](JsonWriter& w) { write(w, item); });
  } else {
    std::printf("%s\n", text.c_str());
  }
}

std::string seconds_text(const std::optional<std::int64_t>& ms) {
  return ms ? std::to_string(*ms / 1000) : std::string("-");
}

int orgs(const Config& config, const Flags& f, bool json) {
  const std::string verb = f.positional.empty() ? "" : f.positional[0];
  if (verb == "create") {
    if (!f.has("name")) return usage("orgs create --name NAME [--json]");
    return in_transaction(config, [&](pqxx::work& tx) -> Status {
      auto org = create_organization(tx, config.keyring, f.get("name"), cli_actor());
      if (!org.ok()) return org.error();
      show(*org, json, &write_organization_json, org->id);
      return {};
    });
  }
  if (verb == "list") {
    return in_transaction(config, [&](pqxx::work& tx) -> Status {
      bool more = false;
      for (const auto& o :
           list_organizations(tx, config.keyring, {kListLimit, std::nullopt}, &more)) {
        show(o, json, &write_organization_json, o.id + "  " + o.name);
      }
      return {};
    });
  }
  return usage("orgs create --name NAME | orgs list [--json]");
}

int workspaces(const Config& config, const Flags& f, bool json) {
  const std::string verb = f.positional.empty() ? "" : f.positional[0];
  if (verb == "create") {
    if (!f.has("org") || !f.has("name")) {
      return usage("workspaces create --org ORG --name NAME [--json]");
    }
    return in_transaction(config, [&](pqxx::work& tx) -> Status {
      auto ws = create_workspace(tx, config.keyring, f.get("org"), f.get("name"), cli_actor());
      if (!ws.ok()) return ws.error();
      show(*ws, json, &write_workspace_json, ws->id);
      return {};
    });
  }
  if (verb == "list") {
    if (!f.has("org")) return usage("workspaces list --org ORG [--json]");
    return in_transaction(config, [&](pqxx::work& tx) -> Status {
      bool more = false;
      for (const auto& ws :
           list_workspaces(tx, config.keyring, f.get("org"), {kListLimit, std::nullopt}, &more)) {
        show(ws, json, &write_workspace_json, ws.id + "  " + ws.name);
      }
      return {};
    });
  }
  return usage("workspaces create --org ORG --name NAME | workspaces list --org ORG [--json]");
}

int create_key(const Config& config, const Flags& f, bool json) {
  NewApiKey k;
  const int kinds = f.has("workspace") + f.has("admin") + f.has("operator");
  if (kinds != 1 || (f.has("admin") && !f.has("org"))) {
    return usage(
        "keys create --workspace WS | --org ORG --admin | --operator\n"
        "       [--name NAME] [--expires-in 90d|12h|30m|45s] [--rate-limit-rpm N] [--json]");
  }
  if (f.has("workspace")) {
    k.scope = Scope::kClient;
    k.workspace_id = f.get("workspace");
  } else if (f.has("admin")) {
    k.scope = Scope::kAdmin;
    k.org_id = f.get("org");
  } else {
    k.scope = Scope::kOperator;
  }
  k.name = f.get("name");
  if (f.has("expires-in")) {
    auto ms = parse_duration_ms(f.get("expires-in"));
    if (!ms) return usage("keys create ... --expires-in N[d|h|m|s] (a positive duration)");
    k.expires_ms = unix_now_ms() + *ms;
  }
  if (f.has("rate-limit-rpm")) {
    long long rpm = 0;
    std::string error;
    if (!f.get_int("rate-limit-rpm", 0, &rpm, &error) || rpm < 1 || rpm > 100000000) {
      return usage("keys create ... --rate-limit-rpm N (requests per minute, at least 1)");
    }
    k.rate_limit_rpm = static_cast<int>(rpm);
  }
  return in_transaction(config, [&](pqxx::work& tx) -> Status {
    auto key = create_api_key(tx, config.keyring, config.key_pepper, k, "", cli_actor());
    if (!key.ok()) return key.error();
    if (json) {
      print_json([&](JsonWriter& w) { write_api_key_json(w, key->record, &key->secret); });
    } else {
      std::printf("%s  %s\n%s\n", key->record.id.c_str(),
                  std::string(scope_name(key->record.scope)).c_str(), key->secret.c_str());
    }
    std::fprintf(stderr, "This key is shown once: store it now; it cannot be recovered.\n");
    return {};
  });
}

int list_keys(const Config& config, const Flags& f, bool json) {
  ApiKeyFilter filter{f.get("org"), f.get("workspace"), f.has("all")};
  return in_transaction(config, [&](pqxx::work& tx) -> Status {
    bool more = false;
    for (const auto& k :
         list_api_keys(tx, config.keyring, filter, {kListLimit, std::nullopt}, &more)) {
      if (json) {
        print_json([&](JsonWriter& w) { write_api_key_json(w, k); });
        continue;
      }
      std::printf(
          "%s  %-8s  %s  %s  expires %s  revoked %s  last used %s  %s\n", k.id.c_str(),
          std::string(scope_name(k.scope)).c_str(), k.org_id.empty() ? "-" : k.org_id.c_str(),
          k.workspace_id.empty() ? "-" : k.workspace_id.c_str(), seconds_text(k.expires_ms).c_str(),
          seconds_text(k.revoked_ms).c_str(), seconds_text(k.last_used_ms).c_str(), k.name.c_str());
    }
    return {};
  });
}

int keys(const Config& config, const Flags& f, bool json) {
  const std::string verb = f.positional.empty() ? "" : f.positional[0];
  if (verb == "create") return create_key(config, f, json);
  if (verb == "list") return list_keys(config, f, json);
  if (verb == "revoke") {
    if (f.positional.size() != 2) return usage("keys revoke KEY_ID [--json]");
    return in_transaction(config, [&](pqxx::work& tx) -> Status {
      auto key = revoke_api_key(tx, config.keyring, f.positional[1], "", cli_actor());
      if (!key.ok()) return key.error();
      if (json) {
        print_json([&](JsonWriter& w) { write_api_key_json(w, *key); });
      } else {
        std::printf("%s revoked\n", key->id.c_str());
      }
      return {};
    });
  }
  return usage("keys create|list|revoke ...");
}

}  // namespace

int run_tenant_command(const std::string& command, const Config& config, int argc, char** argv) {
  const Flags f = parse_flags(argc, argv, 2, {"admin", "operator", "all", "json"});
  const bool json = f.has("json");
  if (command == "orgs") return orgs(config, f, json);
  if (command == "workspaces") return workspaces(config, f, json);
  return keys(config, f, json);
}

}  // namespace bl
