#include "ingest/optimizations_api.hpp"

#include "core/api_error.hpp"
#include "core/file_store.hpp"
#include "core/log.hpp"
#include "core/sealed_text.hpp"
#include "ingest/access.hpp"
#include "ingest/list_page.hpp"
#include "ingest/optimization_json.hpp"
#include "ingest/pool_replies.hpp"
#include "ingest/prompt_json.hpp"
#include "workers/optimizer/optimization_store.hpp"

namespace bl {
namespace {

constexpr const char* kTargetType = "optimization";
constexpr std::size_t kCreateBodyBytes = 16u << 20;
constexpr std::size_t kCommandBodyBytes = 4096;

namespace ev = optimization_event;

HttpResponse no_such_optimization() {
  return error_response(404, "not_found", "no such optimization");
}

// Replaces a task_prompt of the form {"prompt_id", "version"} with that version's content.
// Returns a 404 answer when the prompt or version is not the workspace's.
Result<std::optional<HttpResponse>> resolve_task_prompt(pqxx::transaction_base& tx,
                                                        const DataKeyring& ring, JsonDocument& doc,
                                                        const std::string& workspace) {
  JsonValue* ref = doc.IsObject() && doc.HasMember("task_prompt") ? &doc["task_prompt"] : nullptr;
  if (ref == nullptr || !ref->IsObject()) return std::optional<HttpResponse>();
  auto id = from_api_id(id_prefix::kPrompt, json_string(*ref, "prompt_id").value_or(""));
  const auto version = json_int(*ref, "version");
  auto missing = std::optional<HttpResponse>(
      error_response(404, "not_found", "no such prompt version", "task_prompt"));
  if (!id || !version) return missing;
  auto prompt = find_prompt(tx, ring, *id, workspace);
  if (!prompt.ok()) return prompt.error();
  if (!*prompt) return missing;
  for (const auto& v : (*prompt)->versions) {
    if (v.version != *version) continue;
    ref->SetString(v.content.data(), static_cast<rapidjson::SizeType>(v.content.size()),
                   doc.GetAllocator());
    return std::optional<HttpResponse>();
  }
  return missing;
}

// The examples of dataset.file_id, or nullopt when the dataset is inline.
Result<std::optional<std::vector<DatasetExample>>> file_examples(pqxx::transaction_base& tx,
                                                                 const DataKeyring& ring,
                                                                 const JsonValue& body,
                                                                 const std::string& workspace) {
  const JsonValue* dataset = json_member(body, "dataset");
  auto file = dataset && dataset->IsObject() ? json_string(*dataset, "file_id") : std::nullopt;
  if (!file) return std::optional<std::vector<DatasetExample>>();
  auto id = from_api_id(id_prefix::kFile, *file);
  if (!id) return Error::not_found("dataset.file_id: no such file");
  auto record = find_file(tx, ring, *id, workspace);
  if (!record.ok()) return record.error();
  if (!*record) return Error::not_found("dataset.file_id: no such file");
  auto content = read_file_content(tx, ring, **record);
  if (!content.ok()) return content.error();
  auto examples = parse_dataset_lines(*content);
  if (!examples.ok()) return examples.error();
  return std::optional<std::vector<DatasetExample>>(std::move(*examples));
}

struct CommandRule {
  std::string_view name;
  std::string_view event;
  std::string_view new_status;
  bool (*allowed)(const OptimizationRun&);
};

const CommandRule kCommands[] = {
    {"pause", ev::kPaused, "paused",
     [](const OptimizationRun& r) { return r.status == "running"; }},
    {"resume", ev::kResumed, "running",
     [](const OptimizationRun& r) { return r.status == "paused"; }},
    {"cancel", ev::kCancelRequested, "cancelling",
     [](const OptimizationRun& r) { return r.status == "running" || r.status == "paused"; }},
};

}  // namespace

void OptimizationsApi::add_routes(Router& router) {
  router.add("POST", "/v1/optimizations", kCreateBodyBytes,
             [this](HttpRequest& r, Responder res) { create(r, res); });
  router.add("GET", "/v1/optimizations", [this](HttpRequest& r, Responder res) { list(r, res); });
  router.add("GET", "/v1/optimizations/{id}",
             [this](HttpRequest& r, Responder res) { get(r, res); });
  for (const auto& rule : kCommands) {
    router.add("POST", "/v1/optimizations/{id}/" + std::string(rule.name), kCommandBodyBytes,
               [this, name = rule.name](HttpRequest& r, Responder res) { command(r, res, name); });
  }
  router.add("POST", "/v1/optimizations/{id}/publish", kCommandBodyBytes,
             [this](HttpRequest& r, Responder res) { publish(r, res); });
}

void OptimizationsApi::create(HttpRequest& request, Responder responder) {
  auto principal = command_caller(&workspace_caller, auth_, pool_, request,
                                  {"optimizations.create", kTargetType, "", 0, ""});
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta = caller_metadata(*principal, request);
  auto doc = parse_json(request.body);
  if (!doc.ok() || !doc->IsObject()) {
    record_rejected_command(
        pool_, {"optimizations.create", kTargetType, "", 400, "invalid_request"}, meta);
    return responder.send(error_response(400, "invalid_request", "the body must be a JSON object"));
  }
  auto body = std::make_shared<JsonDocument>(std::move(*doc));
  run_on_pool(pool_, responder, [this, responder, meta, body](pqxx::connection& conn) {
    std::optional<HttpResponse> refusal;
    OptimizationRun run;
    run.id = Uuid::generate_v7();
    run.owner = meta;
    const std::string api_id = to_api_id(id_prefix::kOptimization, run.id);
    auto made = pg_call([&]() -> Result<OptimizationSnapshot> {
      pqxx::work tx(conn);
      auto resolved = resolve_task_prompt(tx, config_.keyring, *body, meta.workspace_id);
      if (!resolved.ok()) return resolved.error();
      if (*resolved) {
        refusal = std::move(*resolved);
        return Error::invalid("refused");
      }
      auto examples = file_examples(tx, config_.keyring, *body, meta.workspace_id);
      if (!examples.ok()) {
        refusal = error_response(examples.error());
        return examples.error();
      }
      auto spec = parse_optimization_spec(*body, config_, *examples ? &**examples : nullptr);
      if (!spec.ok()) {
        refusal = error_response(400, "invalid_request", spec.error().message);
        return spec.error();
      }
      auto data = encode_created(*spec, config_.keyring, run.id);
      if (!data.ok()) return data.error();
      if (auto s = append_to_run(
              tx, run, 0, {NewEvent{std::string(ev::kCreated), std::move(*data), ""}},
              {audit_append({"optimizations.create", kTargetType, api_id, 201, ""}, meta)},
              "running");
          !s.ok()) {
        return s.error();
      }
      auto snap = read_optimization(tx, run.id, &config_.keyring);
      if (!snap.ok()) return snap.error();
      tx.commit();
      return snap;
    });
    if (refusal) {
      record_rejected_command(pool_,
                              {"optimizations.create", kTargetType, "", refusal->status,
                               refusal->status == 404 ? "not_found" : "invalid_request"},
                              meta);
      return responder.send(std::move(*refusal));
    }
    if (!made.ok()) return responder.send(database_error_response(made.error()));
    log::info("optimizations.created",
              {{"request_id", log::id(meta.request_id)}, {"optimization_id", log::id(api_id)}});
    responder.send(HttpResponse::json(201, optimization_json(*made)));
  });
}

void OptimizationsApi::list(HttpRequest& request, Responder responder) {
  auto principal = workspace_caller(auth_, request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  auto page = parse_page(request, 20, 100);
  if (!page.ok()) {
    return responder.send(error_response(400, "invalid_limit", page.error().message, "limit"));
  }
  std::optional<Uuid> before;
  if (page->after) {
    before = from_api_id(id_prefix::kOptimization, *page->after);
    if (!before) {
      return responder.send(
          error_response(400, "invalid_after", "after must be an optimization id", "after"));
    }
  }
  run_on_pool(
      pool_, responder,
      [this, responder, limit = page->limit, before,
       workspace = principal->workspace_id](pqxx::connection& conn) {
        auto runs = pg_call([&]() -> Result<std::vector<OptimizationSnapshot>> {
          pqxx::read_transaction tx(conn);
          std::vector<OptimizationSnapshot> out;
          for (const auto& r : tx.exec_params(
                   "SELECT optimization_id::text FROM optimizations WHERE workspace_id = $1 "
                   "AND ($2 = '' OR optimization_id < nullif($2, '')::uuid) "
                   "ORDER BY optimization_id DESC LIMIT $3",
                   workspace, before ? before->to_string() : std::string(), limit + 1)) {
            auto snap = read_optimization(tx, *Uuid::parse(pg_view(r[0])), &config_.keyring);
            if (!snap.ok()) return snap.error();
            out.push_back(std::move(*snap));
          }
          return out;
        });
        if (!runs.ok()) return responder.send(database_error_response(runs.error()));
        const bool has_more = trim_page(*runs, limit);
        std::vector<std::string> ids;
        for (const auto& s : *runs)
          ids.push_back(to_api_id(id_prefix::kOptimization, s.run.id));
        responder.send(
            HttpResponse::json(200, list_json(ids, has_more, [&](JsonWriter& w, std::size_t i) {
                                 write_optimization(w, (*runs)[i]);
                               })));
      });
}

void OptimizationsApi::get(HttpRequest& request, Responder responder) {
  auto principal = workspace_caller(auth_, request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  auto id = from_api_id(id_prefix::kOptimization, request.path_param("id"));
  if (!id) return responder.send(no_such_optimization());
  run_on_pool(
      pool_, responder,
      [this, responder, id = *id, workspace = principal->workspace_id](pqxx::connection& conn) {
        auto snap = pg_call([&]() -> Result<std::optional<OptimizationSnapshot>> {
          pqxx::read_transaction tx(conn);
          if (optimization_workspace(tx, id) != workspace) {
            return std::optional<OptimizationSnapshot>();
          }
          auto s = read_optimization(tx, id, &config_.keyring);
          if (!s.ok()) return s.error();
          return std::optional<OptimizationSnapshot>(std::move(*s));
        });
        if (!snap.ok()) return responder.send(database_error_response(snap.error()));
        if (!*snap) return responder.send(no_such_optimization());
        responder.send(HttpResponse::json(200, optimization_json(**snap)));
      });
}

void OptimizationsApi::command(HttpRequest& request, Responder responder, std::string_view name) {
  const CommandRule* rule = nullptr;
  for (const auto& r : kCommands)
    if (r.name == name) rule = &r;
  const std::string target(request.path_param("id"));
  const std::string action = "optimizations." + std::string(name);
  auto principal = command_caller(&workspace_caller, auth_, pool_, request,
                                  {action, kTargetType, target, 0, ""});
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta = caller_metadata(*principal, request);
  auto id = from_api_id(id_prefix::kOptimization, target);
  if (!id) {
    record_rejected_command(pool_, {action, kTargetType, target, 404, "not_found"}, meta);
    return responder.send(no_such_optimization());
  }
  run_on_pool(
      pool_, responder,
      [this, responder, meta, rule, target, action, id = *id](pqxx::connection& conn) {
        std::optional<HttpResponse> refusal;
        auto done = pg_call([&]() -> Result<OptimizationSnapshot> {
          pqxx::work tx(conn);
          if (optimization_workspace(tx, id) != meta.workspace_id) {
            refusal = no_such_optimization();
            return Error::not_found("refused");
          }
          auto snap = read_optimization(tx, id, nullptr);
          if (!snap.ok()) return snap.error();
          if (!rule->allowed(snap->run)) {
            ApiError e{409, "invalid_optimization_state", "the optimization is " + snap->run.status,
                       std::nullopt, "{\"current_status\":\"" + snap->run.status + "\"}"};
            refusal = error_response(e);
            return Error::conflict("refused");
          }
          // The stream lock taken by the append makes a manager's step and this command serialize;
          // the loser's expected version no longer matches.
          if (auto s = append_to_run(
                  tx, snap->run, snap->run.version,
                  {NewEvent{std::string(rule->event), "{}", encode_metadata(meta)}},
                  {audit_append({action, kTargetType, target, 200, ""}, meta)}, rule->new_status);
              !s.ok()) {
            return s.error();
          }
          auto after = read_optimization(tx, id, &config_.keyring);
          if (!after.ok()) return after.error();
          tx.commit();
          return after;
        });
        if (refusal) {
          record_rejected_command(
              pool_,
              {action, kTargetType, target, refusal->status,
               refusal->status == 404 ? "not_found" : "invalid_optimization_state"},
              meta);
          return responder.send(std::move(*refusal));
        }
        if (!done.ok()) {
          if (done.error().code == ErrorCode::kVersionConflict) {
            return responder.send(
                error_response(409, "conflict", "the optimization moved on; retry the command"));
          }
          return responder.send(database_error_response(done.error()));
        }
        responder.send(HttpResponse::json(200, optimization_json(*done)));
      });
}

void OptimizationsApi::publish(HttpRequest& request, Responder responder) {
  const std::string target(request.path_param("id"));
  const std::string action = "optimizations.publish";
  auto principal = command_caller(&workspace_caller, auth_, pool_, request,
                                  {action, kTargetType, target, 0, ""});
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta = caller_metadata(*principal, request);
  auto id = from_api_id(id_prefix::kOptimization, target);
  auto doc = parse_json(request.body.empty() ? std::string("{}") : request.body);
  if (!id || !doc.ok() || !doc->IsObject()) {
    const int status = !id ? 404 : 400;
    record_rejected_command(
        pool_, {action, kTargetType, target, status, !id ? "not_found" : "invalid_request"}, meta);
    return responder.send(
        !id ? no_such_optimization()
            : error_response(400, "invalid_request", "the body must be a JSON object"));
  }
  std::optional<Uuid> into;
  if (auto p = json_string(*doc, "prompt_id")) {
    into = from_api_id(id_prefix::kPrompt, *p);
    if (!into)
      return responder.send(error_response(404, "not_found", "no such prompt", "prompt_id"));
  }
  std::string name(json_string(*doc, "name").value_or(""));
  if (name.empty()) name = "optimization " + target;
  if (auto s = check_name(name, "name"); !s.ok()) return responder.send(error_response(s.error()));
  run_on_pool(
      pool_, responder,
      [this, responder, meta, target, action, id = *id, into, name](pqxx::connection& conn) {
        std::optional<HttpResponse> refusal;
        auto done = pg_call([&]() -> Result<PromptRecord> {
          pqxx::work tx(conn);
          if (optimization_workspace(tx, id) != meta.workspace_id) {
            refusal = no_such_optimization();
            return Error::not_found("refused");
          }
          auto snap = read_optimization(tx, id, &config_.keyring);
          if (!snap.ok()) return snap.error();
          const Candidate* best = find_candidate(snap->run, snap->run.best_candidate_id);
          if (best == nullptr) {
            refusal =
                error_response(409, "no_best_prompt", "the optimization has no scored prompt yet");
            return Error::conflict("refused");
          }
          PromptVersion v;
          v.state = "published";
          v.content = best->prompt;
          v.source_type = "optimization";
          v.source_id = target;
          PromptRecord record;
          if (into) {
            auto added = add_prompt_version(tx, config_.keyring, *into, meta.workspace_id, v);
            if (!added.ok()) return added.error();
            if (!*added) {
              refusal = error_response(404, "not_found", "no such prompt", "prompt_id");
              return Error::not_found("refused");
            }
            record.id = *into;
            record.versions.push_back(std::move(**added));
          } else {
            auto made = create_prompt(tx, config_.keyring, Uuid::generate_v7(), meta.org_id,
                                      meta.workspace_id, name, v);
            if (!made.ok()) return made.error();
            record = std::move(*made);
          }
          if (auto s =
                  append_events(tx, {audit_append({action, kTargetType, target, 201, ""}, meta)});
              !s.ok()) {
            return s.error();
          }
          tx.commit();
          return record;
        });
        if (refusal) {
          record_rejected_command(pool_, {action, kTargetType, target, refusal->status, "refused"},
                                  meta);
          return responder.send(std::move(*refusal));
        }
        if (!done.ok()) return responder.send(database_error_response(done.error()));
        JsonWriter w;
        write_prompt_version(w, *done, done->versions.back());
        responder.send(HttpResponse::json(201, w.str()));
      });
}

}  // namespace bl
