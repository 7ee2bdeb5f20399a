#include "ingest/prompts_api.hpp"

#include <charconv>

#include "core/api_error.hpp"
#include "core/event_log.hpp"
#include "core/log.hpp"
#include "core/sealed_text.hpp"
#include "ingest/access.hpp"
#include "ingest/list_page.hpp"
#include "ingest/pool_replies.hpp"
#include "ingest/prompt_json.hpp"
#include "workers/optimizer/optimization_spec.hpp"

namespace bl {
namespace {

constexpr const char* kTargetType = "prompt";
constexpr std::size_t kPromptBodyBytes = 64 * 1024;

HttpResponse no_such_prompt() {
  return error_response(404, "not_found", "no such prompt");
}

struct PromptInput {
  std::string name;
  PromptVersion version;
};

// {name?, content, state?}; name only when `with_name`.
Result<PromptInput> parse_prompt_input(std::string_view body, bool with_name) {
  auto doc = parse_json(body);
  if (!doc.ok() || !doc->IsObject()) return Error::invalid("the body must be a JSON object");
  PromptInput in;
  if (with_name) {
    auto name = json_string(*doc, "name");
    if (!name) return Error::invalid("name: is required");
    if (auto s = check_name(*name, "name"); !s.ok()) return s.error();
    in.name = std::string(*name);
  }
  auto content = json_string(*doc, "content");
  if (!content || content->empty() || content->size() > kMaxPromptBytes) {
    return Error::invalid("content: must be a string of 1 to " + std::to_string(kMaxPromptBytes) +
                          " bytes");
  }
  in.version.content = std::string(*content);
  in.version.state = std::string(json_string(*doc, "state").value_or("draft"));
  if (!is_prompt_state(in.version.state)) {
    return Error::invalid("state: must be draft, published or archived");
  }
  return in;
}

}  // namespace

void PromptsApi::add_routes(Router& router) {
  router.add("POST", "/v1/prompts", kPromptBodyBytes,
             [this](HttpRequest& r, Responder res) { create(r, res); });
  router.add("GET", "/v1/prompts", [this](HttpRequest& r, Responder res) { list(r, res); });
  router.add("GET", "/v1/prompts/{id}", [this](HttpRequest& r, Responder res) { get(r, res); });
  router.add("POST", "/v1/prompts/{id}/versions", kPromptBodyBytes,
             [this](HttpRequest& r, Responder res) { add_version(r, res); });
  for (const char* state : {"publish", "archive"}) {
    router.add("POST", std::string("/v1/prompts/{id}/versions/{version}/") + state, 4096,
               [this, s = std::string(state) == "publish" ? "published" : "archived"](
                   HttpRequest& r, Responder res) { set_state(r, res, s); });
  }
}

void PromptsApi::create(HttpRequest& request, Responder responder) {
  auto principal = command_caller(&workspace_caller, auth_, pool_, request,
                                  {"prompts.create", kTargetType, "", 0, ""});
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta = caller_metadata(*principal, request);
  auto input = parse_prompt_input(request.body, true);
  if (!input.ok()) {
    record_rejected_command(pool_, {"prompts.create", kTargetType, "", 400, "invalid_request"},
                            meta);
    return responder.send(error_response(input.error()));
  }
  run_on_pool(
      pool_, responder, [this, responder, meta, input = std::move(*input)](pqxx::connection& conn) {
        auto made = pg_call([&]() -> Result<PromptRecord> {
          pqxx::work tx(conn);
          auto p = create_prompt(tx, config_.keyring, Uuid::generate_v7(), meta.org_id,
                                 meta.workspace_id, input.name, input.version);
          if (!p.ok()) return p.error();
          if (auto s =
                  append_events(tx, {audit_append({"prompts.create", kTargetType,
                                                   to_api_id(id_prefix::kPrompt, p->id), 201, ""},
                                                  meta)});
              !s.ok()) {
            return s.error();
          }
          tx.commit();
          return p;
        });
        if (!made.ok()) return responder.send(database_error_response(made.error()));
        responder.send(HttpResponse::json(201, prompt_json(*made)));
      });
}

void PromptsApi::list(HttpRequest& request, Responder responder) {
  auto principal = workspace_caller(auth_, request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  auto page = parse_page(request, 20, 100);
  if (!page.ok()) {
    return responder.send(error_response(400, "invalid_limit", page.error().message, "limit"));
  }
  std::optional<Uuid> before;
  if (page->after) {
    before = from_api_id(id_prefix::kPrompt, *page->after);
    if (!before)
      return responder.send(
          error_response(400, "invalid_after", "after must be a prompt id", "after"));
  }
  run_on_pool(pool_, responder,
              [this, responder, limit = page->limit, before,
               workspace = principal->workspace_id](pqxx::connection& conn) {
                auto rows = pg_call([&]() -> Result<std::vector<PromptRecord>> {
                  pqxx::read_transaction tx(conn);
                  return list_prompts(tx, config_.keyring, workspace, before, limit + 1);
                });
                if (!rows.ok()) return responder.send(database_error_response(rows.error()));
                const bool has_more = trim_page(*rows, limit);
                std::vector<std::string> ids;
                for (const auto& p : *rows)
                  ids.push_back(to_api_id(id_prefix::kPrompt, p.id));
                responder.send(HttpResponse::json(
                    200, list_json(ids, has_more, [&](JsonWriter& w, std::size_t i) {
                      write_prompt(w, (*rows)[i]);
                    })));
              });
}

void PromptsApi::get(HttpRequest& request, Responder responder) {
  auto principal = workspace_caller(auth_, request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  auto id = from_api_id(id_prefix::kPrompt, request.path_param("id"));
  if (!id) return responder.send(no_such_prompt());
  run_on_pool(
      pool_, responder,
      [this, responder, id = *id, workspace = principal->workspace_id](pqxx::connection& conn) {
        auto p = pg_call([&]() -> Result<std::optional<PromptRecord>> {
          pqxx::read_transaction tx(conn);
          return find_prompt(tx, config_.keyring, id, workspace);
        });
        if (!p.ok()) return responder.send(database_error_response(p.error()));
        if (!*p) return responder.send(no_such_prompt());
        responder.send(HttpResponse::json(200, prompt_json(**p)));
      });
}

void PromptsApi::add_version(HttpRequest& request, Responder responder) {
  const std::string target(request.path_param("id"));
  auto principal = command_caller(&workspace_caller, auth_, pool_, request,
                                  {"prompts.add_version", kTargetType, target, 0, ""});
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta = caller_metadata(*principal, request);
  auto id = from_api_id(id_prefix::kPrompt, target);
  auto input = parse_prompt_input(request.body, false);
  if (!id || !input.ok()) {
    const int status = !id ? 404 : 400;
    record_rejected_command(
        pool_,
        {"prompts.add_version", kTargetType, target, status, !id ? "not_found" : "invalid_request"},
        meta);
    return responder.send(!id ? no_such_prompt() : error_response(input.error()));
  }
  run_on_pool(
      pool_, responder,
      [this, responder, meta, target, id = *id, input = std::move(*input)](pqxx::connection& conn) {
        auto added = pg_call([&]() -> Result<std::optional<PromptRecord>> {
          pqxx::work tx(conn);
          auto v = add_prompt_version(tx, config_.keyring, id, meta.workspace_id, input.version);
          if (!v.ok()) return v.error();
          if (!*v) return std::optional<PromptRecord>();
          if (auto s = append_events(
                  tx, {audit_append({"prompts.add_version", kTargetType, target, 201, ""}, meta)});
              !s.ok()) {
            return s.error();
          }
          tx.commit();
          PromptRecord p;
          p.id = id;
          p.versions.push_back(std::move(**v));
          return std::optional<PromptRecord>(std::move(p));
        });
        if (!added.ok()) return responder.send(database_error_response(added.error()));
        if (!*added) {
          record_rejected_command(
              pool_, {"prompts.add_version", kTargetType, target, 404, "not_found"}, meta);
          return responder.send(no_such_prompt());
        }
        JsonWriter w;
        write_prompt_version(w, **added, (*added)->versions.back());
        responder.send(HttpResponse::json(201, w.str()));
      });
}

void PromptsApi::set_state(HttpRequest& request, Responder responder, std::string state) {
  const std::string target(request.path_param("id"));
  const std::string action = state == "published" ? "prompts.publish" : "prompts.archive";
  auto principal = command_caller(&workspace_caller, auth_, pool_, request,
                                  {action, kTargetType, target, 0, ""});
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta = caller_metadata(*principal, request);
  auto id = from_api_id(id_prefix::kPrompt, target);
  const std::string_view vtext = request.path_param("version");
  int version = 0;
  auto [p, ec] = std::from_chars(vtext.data(), vtext.data() + vtext.size(), version);
  if (!id || ec != std::errc() || p != vtext.data() + vtext.size()) {
    record_rejected_command(pool_, {action, kTargetType, target, 404, "not_found"}, meta);
    return responder.send(no_such_prompt());
  }
  run_on_pool(
      pool_, responder,
      [this, responder, meta, target, action, state, id = *id, version](pqxx::connection& conn) {
        auto done = pg_call([&]() -> Result<std::optional<PromptRecord>> {
          pqxx::work tx(conn);
          if (!set_prompt_version_state(tx, id, meta.workspace_id, version, state)) {
            return std::optional<PromptRecord>();
          }
          if (auto s =
                  append_events(tx, {audit_append({action, kTargetType, target, 200, ""}, meta)});
              !s.ok())
            return s.error();
          auto prompt = find_prompt(tx, config_.keyring, id, meta.workspace_id);
          if (!prompt.ok()) return prompt.error();
          tx.commit();
          return prompt;
        });
        if (!done.ok()) return responder.send(database_error_response(done.error()));
        if (!*done) {
          record_rejected_command(pool_, {action, kTargetType, target, 404, "not_found"}, meta);
          return responder.send(no_such_prompt());
        }
        for (const auto& v : (*done)->versions) {
          if (v.version != version) continue;
          JsonWriter w;
          write_prompt_version(w, **done, v);
          return responder.send(HttpResponse::json(200, w.str()));
        }
        responder.send(no_such_prompt());
      });
}

}  // namespace bl
