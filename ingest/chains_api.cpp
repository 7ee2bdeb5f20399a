#include "ingest/chains_api.hpp"

#include "core/api_error.hpp"
#include "core/log.hpp"
#include "ingest/access.hpp"
#include "ingest/job_validation.hpp"
#include "ingest/pool_replies.hpp"
#include "workers/optimizer/job_chain_store.hpp"
#include "workers/optimizer/optimization_spec.hpp"

namespace bl {
namespace {

constexpr const char* kTargetType = "job_chain";

HttpResponse no_such_chain() {
  return error_response(404, "not_found", "no such chain");
}

// {"model", "prompt"} of eval or meta.
Status read_call(const JsonValue& body, std::string_view key, const Config& config,
                 std::string* model, std::string* prompt) {
  const JsonValue* call = json_member(body, key);
  const std::string k(key);
  if (call == nullptr || !call->IsObject()) {
    return Error::invalid(k + ": must be an object with model and prompt");
  }
  auto m = json_string(*call, "model");
  if (!m || config.find_model(*m) == nullptr) return Error::invalid(k + ".model: unknown model");
  auto p = json_string(*call, "prompt");
  if (!p || p->empty() || p->size() > kMaxPromptBytes) {
    return Error::invalid(k + ".prompt: must be a string of 1 to " +
                          std::to_string(kMaxPromptBytes) + " bytes");
  }
  *model = std::string(*m);
  *prompt = std::string(*p);
  return {};
}

// The text of the job's last user message (what the meta call is asked to improve).
std::string last_user_text(const JsonValue& job) {
  std::string out;
  const JsonValue* messages = json_member(job, "messages");
  if (messages == nullptr || !messages->IsArray()) return out;
  for (const auto& m : messages->GetArray()) {
    if (json_string(m, "role").value_or("") != "user") continue;
    const JsonValue* c = json_member(m, "content");
    if (c != nullptr) out = c->IsString() ? std::string(as_view(*c)) : to_json(*c);
  }
  return out;
}

void write_chain(JsonWriter& w, const JobChain& c) {
  auto job_id = [&](std::string_view key, const std::optional<Uuid>& id) {
    if (id) {
      w.field(key, to_api_id(id_prefix::kJob, *id));
    } else {
      w.null_field(key);
    }
  };
  w.begin_object();
  w.field("id", to_api_id(id_prefix::kJobChain, c.id)).field("object", "job_chain");
  w.field("status", c.status);
  if (c.error.empty()) {
    w.null_field("error");
  } else {
    w.key("error").begin_object().field("code", c.error).end_object();
  }
  w.field("created_at", c.created_ms / 1000);
  w.field("json_output", c.spec.json_output);
  job_id("job_id", c.working_job);
  job_id("repair_job_id", c.repair_job);
  job_id("eval_job_id", c.eval_job);
  job_id("meta_job_id", c.meta_job);
  w.key("evaluation");
  if (c.meta_job) {
    w.begin_object().field("text", c.evaluation).optional_field("score", c.score).end_object();
  } else {
    w.null();
  }
  w.key("proposed_prompt");
  if (c.proposed_prompt_id) {
    w.begin_object().field("prompt_id", to_api_id(id_prefix::kPrompt, *c.proposed_prompt_id));
    w.field("version", c.proposed_version).end_object();
  } else {
    w.null();
  }
  w.end_object();
}

}  // namespace

void ChainsApi::add_routes(Router& router) {
  router.add("POST", "/v1/chains", [this](HttpRequest& r, Responder res) { create(r, res); });
  router.add("GET", "/v1/chains/{id}", [this](HttpRequest& r, Responder res) { get(r, res); });
}

void ChainsApi::create(HttpRequest& request, Responder responder) {
  auto principal = command_caller(&workspace_caller, auth_, pool_, request,
                                  {"chains.create", kTargetType, "", 0, ""});
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta = caller_metadata(*principal, request);
  auto refuse = [&](HttpResponse r) {
    record_rejected_command(pool_, {"chains.create", kTargetType, "", r.status, "invalid_request"},
                            meta);
    responder.send(std::move(r));
  };
  auto doc = parse_json(request.body);
  if (!doc.ok() || !doc->IsObject() || json_member(*doc, "job") == nullptr ||
      !(*doc)["job"].IsObject()) {
    return refuse(error_response(400, "invalid_request", "job: must be a job object", "job"));
  }
  ValidationResult v = validate_jobs(to_json((*doc)["job"]), config_);
  if (v.error) return refuse(error_response(*v.error));
  if (v.jobs.size() != 1) {
    return refuse(error_response(400, "invalid_request", "job: must be one job", "job"));
  }
  JobChainSpec spec;
  for (auto [key, model, prompt] : {std::tuple{"eval", &spec.eval_model, &spec.eval_prompt},
                                    std::tuple{"meta", &spec.meta_model, &spec.meta_prompt}}) {
    if (auto s = read_call(*doc, key, config_, model, prompt); !s.ok()) {
      return refuse(error_response(400, "invalid_request", s.error().message, key));
    }
  }
  spec.json_output = json_bool(*doc, "json_output").value_or(false);
  spec.working_prompt = last_user_text((*doc)["job"]);
  if (auto p = json_string(*doc, "prompt_id")) {
    spec.prompt_id = from_api_id(id_prefix::kPrompt, *p);
    if (!spec.prompt_id)
      return refuse(error_response(404, "not_found", "no such prompt", "prompt_id"));
  }
  run_on_pool(
      pool_, responder,
      [this, responder, meta, spec, job = std::move(v.jobs.front())](pqxx::connection& conn) {
        const Uuid chain = Uuid::generate_v7();
        const Uuid working = Uuid::generate_v7();
        const std::string api_id = to_api_id(id_prefix::kJobChain, chain);
        JobSubmitted e;
        e.model = job.model;
        e.priority = job.priority;
        e.custom_id = job.custom_id;
        e.max_tokens = job.max_tokens;
        e.request_json = job.request_json;
        e.client_reference_json = job.client_reference_json;
        auto data = encode(e, config_.keyring, working);
        if (!data.ok()) return responder.send(error_response(data.error()));
        JobSubmissions submissions;
        add_submitted_job(&submissions, e, std::move(*data), working, meta);
        auto started = encode_chain_started(spec, working, job.model, config_.keyring, chain);
        if (!started.ok()) return responder.send(error_response(started.error()));
        auto made = pg_call([&]() -> Result<JobChainSnapshot> {
          pqxx::work tx(conn);
          if (auto s = create_job_chain(
                  tx, chain, working, meta, std::move(*started), std::move(submissions),
                  {audit_append({"chains.create", kTargetType, api_id, 201, ""}, meta)});
              !s.ok()) {
            return s.error();
          }
          auto snap = read_job_chain(tx, chain, &config_.keyring);
          if (!snap.ok()) return snap.error();
          tx.commit();
          return snap;
        });
        if (!made.ok()) return responder.send(database_error_response(made.error()));
        log::info("chains.created",
                  {{"request_id", log::id(meta.request_id)}, {"chain_id", log::id(api_id)}});
        JsonWriter w;
        write_chain(w, made->chain);
        responder.send(HttpResponse::json(201, w.str()));
      });
}

void ChainsApi::get(HttpRequest& request, Responder responder) {
  auto principal = workspace_caller(auth_, request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  auto id = from_api_id(id_prefix::kJobChain, request.path_param("id"));
  if (!id) return responder.send(no_such_chain());
  run_on_pool(
      pool_, responder,
      [this, responder, id = *id, workspace = principal->workspace_id](pqxx::connection& conn) {
        auto snap = pg_call([&]() -> Result<std::optional<JobChainSnapshot>> {
          pqxx::read_transaction tx(conn);
          if (job_chain_workspace(tx, id) != workspace) {
            return std::optional<JobChainSnapshot>();
          }
          auto s = read_job_chain(tx, id, &config_.keyring);
          if (!s.ok()) return s.error();
          return std::optional<JobChainSnapshot>(std::move(*s));
        });
        if (!snap.ok()) return responder.send(database_error_response(snap.error()));
        if (!*snap) return responder.send(no_such_chain());
        JsonWriter w;
        write_chain(w, (*snap)->chain);
        responder.send(HttpResponse::json(200, w.str()));
      });
}

}  // namespace bl
