#include "ingest/jobs_api.hpp"

#include "core/api_error.hpp"
#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/outbox_rows.hpp"
#include "ingest/auth.hpp"
#include "ingest/command_audit.hpp"
#include "ingest/job_json.hpp"
#include "ingest/job_validation.hpp"
#include "projections/job_queries.hpp"

namespace bl {
namespace {

HttpResponse overloaded() {
  HttpResponse r = error_response(503, "overloaded", "the server is busy; retry shortly");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse unavailable(const Error& e) {
  HttpResponse r = error_response(e);
  if (r.status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

Counter& accepted_jobs() {
  static Counter& c =
      MetricsRegistry::global().counter("bl_ingest_jobs_accepted_total", "jobs durably accepted");
  return c;
}

}  // namespace

void JobsApi::add_routes(Router& router) {
  router.add("POST", "/v1/jobs", [this](HttpRequest& r, Responder res) { submit(r, res); });
  router.add("GET", "/v1/jobs/{id}", [this](HttpRequest& r, Responder res) { get(r, res); });
}

void JobsApi::submit(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta{principal->org_id, principal->workspace_id, principal->key_id,
                     request.request_id, std::nullopt};
  ValidationResult v = validate_jobs(request.body, config_);
  if (v.error) {
    record_rejected_command(pool_, {"jobs.create", "job", "", v.error->status, v.error->code},
                            meta);
    return responder.send(error_response(*v.error));
  }

  auto task = [this, responder, meta = std::move(meta),
               jobs = std::move(v.jobs)](pqxx::connection* conn) {
    if (conn == nullptr)
      return responder.send(unavailable(Error::unavailable("database unavailable")));
    std::vector<Uuid> ids;
    std::vector<StreamAppend> appends;
    std::vector<OutboxRow> deliveries;
    const std::string metadata = encode_metadata(meta);
    for (const auto& job : jobs) {
      const Uuid id = Uuid::generate_v7();
      JobSubmitted e;
      e.model = job.model;
      e.priority = job.priority;
      e.custom_id = job.custom_id;
      e.max_tokens = job.max_tokens;
      e.request_json = job.request_json;
      auto data = encode(e, config_.keyring, id);
      if (!data.ok()) return responder.send(error_response(data.error()));
      ids.push_back(id);
      appends.push_back(StreamAppend{id,
                                     std::string(kJobStreamType),
                                     0,
                                     {NewEvent{std::string(job_event_type(JobEvent::kSubmitted)),
                                               std::move(*data), metadata}}});
      deliveries.push_back(OutboxRow{id, job.model, 1, job.priority, 0});
    }
    appends.push_back(audit_append(
        {"jobs.create", "job", ids.size() == 1 ? to_api_id(id_prefix::kJob, ids[0]) : "", 202, "",
         static_cast<int>(ids.size())},
        meta));
    auto committed = pg_call([&]() -> Status {
      pqxx::work tx(*conn);
      if (auto s = append_events(tx, appends); !s.ok()) return s;
      insert_outbox_rows(tx, deliveries);
      tx.commit();
      return {};
    });
    if (!committed.ok()) {
      log::warn("jobs.submit_failed",
                {{"request_id", log::id(meta.request_id)},
                 {"error", log::code(error_code_name(committed.error().code))}});
      return responder.send(unavailable(committed.error()));
    }
    accepted_jobs().inc(ids.size());
    log::info("jobs.submitted", {{"request_id", log::id(meta.request_id)},
                                 {"workspace_id", log::id(meta.workspace_id)},
                                 {"jobs", ids.size()}});
    JsonWriter w;
    w.begin_object();
    w.field("object", "list");
    w.key("data").begin_array();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      w.begin_object();
      w.field("id", to_api_id(id_prefix::kJob, ids[i]));
      w.field("object", "job");
      w.field("status", "queued");
      w.field("model", jobs[i].model);
      w.optional_field("custom_id", jobs[i].custom_id);
      w.field("created_at", ids[i].v7_millis() / 1000);
      w.end_object();
    }
    w.end_array();
    w.field("first_id", to_api_id(id_prefix::kJob, ids.front()));
    w.field("last_id", to_api_id(id_prefix::kJob, ids.back()));
    w.field("has_more", false);
    w.end_object();
    responder.send(HttpResponse::json(202, w.str()));
  };
  if (!pool_.submit(std::move(task))) responder.send(overloaded());
}

void JobsApi::get(HttpRequest& request, Responder responder) {
  auto principal = auth_.authenticate(request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  const auto id = from_api_id(id_prefix::kJob, request.path_param("id"));
  if (!id) return responder.send(error_response(404, "not_found", "no such job"));
  auto task = [this, responder, job = *id,
               workspace = principal->workspace_id](pqxx::connection* conn) {
    if (conn == nullptr)
      return responder.send(unavailable(Error::unavailable("database unavailable")));
    auto row = pg_call([&]() -> Result<std::optional<JobRow>> {
      pqxx::read_transaction tx(*conn);
      return read_job(tx, job);
    });
    if (!row.ok()) return responder.send(unavailable(row.error()));
    // Another tenant's job is answered exactly like a missing one.
    if (!row->has_value() || (*row)->workspace_id.value_or("") != workspace) {
      return responder.send(error_response(404, "not_found", "no such job"));
    }
    JsonWriter w;
    write_job_json(w, **row, config_.keyring);
    responder.send(HttpResponse::json(200, w.str()));
  };
  if (!pool_.submit(std::move(task))) responder.send(overloaded());
}

}  // namespace bl
