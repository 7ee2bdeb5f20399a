#include "ingest/jobs_api.hpp"

#include <charconv>

#include "core/api_error.hpp"
#include "core/event_log.hpp"
#include "core/job_events.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/outbox_rows.hpp"
#include "ingest/access.hpp"
#include "ingest/command_audit.hpp"
#include "ingest/idempotency.hpp"
#include "ingest/job_commands.hpp"
#include "ingest/job_json.hpp"
#include "ingest/job_validation.hpp"
#include "ingest/list_page.hpp"
#include "ingest/pool_replies.hpp"
#include "ingest/quota_store.hpp"
#include "projections/job_queries.hpp"

namespace bl {
namespace {

constexpr int kMaxWaitSeconds = 30;
constexpr int kDefaultListLimit = 20;
constexpr int kMaxListLimit = 100;
constexpr std::size_t kCommandBodyBytes = 4096;

Counter& accepted_jobs() {
  static Counter& c =
      MetricsRegistry::global().counter("bl_ingest_jobs_accepted_total", "jobs durably accepted");
  return c;
}

HttpResponse no_such_job() {
  return error_response(404, "not_found", "no such job");
}

// ?wait=N: whole seconds from 0 to kMaxWaitSeconds.
Result<int> wait_seconds(const HttpRequest& request) {
  auto v = request.query_param("wait");
  if (!v) return 0;
  int n = -1;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < 0 || n > kMaxWaitSeconds) {
    return Error::invalid("wait must be a whole number of seconds from 0 to " +
                          std::to_string(kMaxWaitSeconds));
  }
  return n;
}

Result<JobListQuery> list_query(const HttpRequest& request, const std::string& workspace) {
  auto page = parse_page(request, kDefaultListLimit, kMaxListLimit);
  if (!page.ok()) return page.error();
  JobListQuery q;
  q.workspace_id = workspace;
  q.limit = page->limit;
  if (page->after) {
    q.before = from_api_id(id_prefix::kJob, *page->after);
    if (!q.before) return Error::invalid("after must be a job id");
  }
  if (auto status = request.query_param("status")) {
    q.status = parse_job_state(*status);
    if (!q.status || *q.status == JobState::kNone) {
      return Error::invalid(
          "status must be one of queued, succeeded, failed, cancelled, consumed, "
          "error_consuming");
    }
  }
  if (auto batch = request.query_param("batch_id")) {
    q.batch_id = from_api_id(id_prefix::kBatch, *batch);
    if (!q.batch_id) return Error::invalid("batch_id must be a batch id");
  }
  return q;
}

// Commands take no parameters: an empty body or an empty JSON object.
Status check_empty_command_body(const std::string& body) {
  if (body.empty()) return {};
  auto doc = parse_json(body);
  if (!doc.ok() || !doc->IsObject() || doc->MemberCount() != 0) {
    return Error::invalid("this endpoint takes no parameters: send no body or {}");
  }
  return {};
}

std::string submitted_json(const std::vector<Uuid>& ids, const std::vector<ValidatedJob>& jobs) {
  std::vector<std::string> api_ids;
  for (const auto& id : ids)
    api_ids.push_back(to_api_id(id_prefix::kJob, id));
  return list_json(api_ids, false, [&](JsonWriter& w, std::size_t i) {
    w.begin_object();
    w.field("id", api_ids[i]);
    w.field("object", "job");
    w.field("status", "queued");
    w.field("model", jobs[i].model);
    w.optional_field("custom_id", jobs[i].custom_id);
    w.field("priority", jobs[i].priority);
    w.field("created_at", ids[i].v7_millis() / 1000);
    w.end_object();
  });
}

}  // namespace

void JobsApi::add_routes(Router& router) {
  router.add("POST", "/v1/jobs", [this](HttpRequest& r, Responder res) { submit(r, res); });
  router.add("GET", "/v1/jobs", [this](HttpRequest& r, Responder res) { list(r, res); });
  router.add("GET", "/v1/jobs/{id}", [this](HttpRequest& r, Responder res) { get(r, res); });
  const std::pair<const char*, JobEvent> commands[] = {
      {"/v1/jobs/{id}/cancel", JobEvent::kCancelled},
      {"/v1/jobs/{id}/consume", JobEvent::kConsumed},
      {"/v1/jobs/{id}/consume-failed", JobEvent::kConsumeFailed},
  };
  for (const auto& [pattern, event] : commands) {
    router.add("POST", pattern, kCommandBodyBytes,
               [this, e = event](HttpRequest& r, Responder res) { command(r, res, e); });
  }
}

void JobsApi::submit(HttpRequest& request, Responder responder) {
  auto principal =
      command_caller(&workspace_caller, auth_, pool_, request, {"jobs.create", "job", "", 0, ""});
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta = caller_metadata(*principal, request);
  ValidationResult v = validate_jobs(request.body, config_);
  if (v.error) {
    record_rejected_command(pool_, {"jobs.create", "job", "", v.error->status, v.error->code},
                            meta);
    return responder.send(error_response(*v.error));
  }
  auto idempotency = idempotency_key_of(request, *principal);
  auto task = [this, responder, meta = std::move(meta), jobs = std::move(v.jobs),
               idem = idempotency.ok() ? *idempotency : std::nullopt](pqxx::connection& conn) {
    if (auto refusal = quota_refusal(conn, meta.org_id)) {
      record_rejected_command(pool_, {"jobs.create", "job", "", 429, refusal->code}, meta);
      return responder.send(error_response(*refusal));
    }
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
      e.conversation_id = job.conversation_id;
      e.use_history = job.use_history;
      e.max_tokens = job.max_tokens;
      e.request_json = job.request_json;
      e.client_reference_json = job.client_reference_json;
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
    HttpResponse answer = HttpResponse::json(202, submitted_json(ids, jobs));
    auto committed = pg_call([&]() -> Status {
      pqxx::work tx(conn);
      if (auto s = append_events(tx, appends); !s.ok()) return s;
      insert_outbox_rows(tx, deliveries);
      if (idem) {
        if (auto s = record_idempotent_response(tx, *idem, answer, config_.keyring); !s.ok())
          return s;
      }
      tx.commit();
      return {};
    });
    if (!committed.ok()) {
      log::warn("jobs.submit_failed",
                {{"request_id", log::id(meta.request_id)},
                 {"error", log::code(error_code_name(committed.error().code))}});
      return responder.send(database_error_response(committed.error()));
    }
    accepted_jobs().inc(ids.size());
    log::info("jobs.submitted", {{"request_id", log::id(meta.request_id)},
                                 {"workspace_id", log::id(meta.workspace_id)},
                                 {"jobs", ids.size()}});
    responder.send(std::move(answer));
  };
  run_on_pool(pool_, responder, std::move(task));
}

void JobsApi::get(HttpRequest& request, Responder responder) {
  auto principal = workspace_caller(auth_, request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  auto wait = wait_seconds(request);
  if (!wait.ok()) return responder.send(error_response(400, "invalid_wait", wait.error().message));
  const auto id = from_api_id(id_prefix::kJob, request.path_param("id"));
  if (!id) return responder.send(no_such_job());
  answer_job(*id, principal->workspace_id, *wait * 1000LL, responder);
}

void JobsApi::answer_job(const Uuid& job, const std::string& workspace, std::int64_t wait_ms,
                         Responder responder) {
  auto task = [this, responder, job, workspace, wait_ms](pqxx::connection& conn) {
    auto row = pg_call([&]() -> Result<std::optional<JobRow>> {
      pqxx::read_transaction tx(conn);
      return read_job(tx, job);
    });
    if (!row.ok()) return responder.send(database_error_response(row.error()));
    // Another tenant's job is answered exactly like a missing one.
    if (!row->has_value() || (*row)->workspace_id.value_or("") != workspace) {
      return responder.send(no_such_job());
    }
    if (wait_ms > 0 && !is_terminal((*row)->status)) {
      const bool waiting = waiters_.wait(
          job, std::chrono::milliseconds(wait_ms),
          [this, job, workspace, responder](bool) { answer_job(job, workspace, 0, responder); });
      if (waiting) return;  // answered when the job is terminal or the wait is over
    }
    JsonWriter w;
    write_job_json(w, **row, config_.keyring);
    responder.send(HttpResponse::json(200, w.str()));
  };
  run_on_pool(pool_, responder, std::move(task));
}

void JobsApi::list(HttpRequest& request, Responder responder) {
  auto principal = workspace_caller(auth_, request);
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  auto query = list_query(request, principal->workspace_id);
  if (!query.ok()) {
    return responder.send(error_response(400, "invalid_request", query.error().message));
  }
  auto task = [this, responder, q = std::move(*query)](pqxx::connection& conn) {
    auto page = pg_call([&]() -> Result<JobListPage> {
      pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
      return list_jobs(tx, q);
    });
    if (!page.ok()) return responder.send(database_error_response(page.error()));
    std::vector<std::string> ids;
    for (const auto& r : page->rows)
      ids.push_back(to_api_id(id_prefix::kJob, r.job_id));
    responder.send(
        HttpResponse::json(200, list_json(ids, page->has_more, [&](JsonWriter& w, std::size_t i) {
                             write_job_json(w, page->rows[i], config_.keyring);
                           })));
  };
  run_on_pool(pool_, responder, std::move(task));
}

void JobsApi::command(HttpRequest& request, Responder responder, JobEvent event) {
  const std::string action(job_command_action(event));
  const std::string target(request.path_param("id"));
  auto principal =
      command_caller(&workspace_caller, auth_, pool_, request, {action, "job", target, 0, ""});
  if (!principal.ok()) return responder.send(error_response(principal.error()));
  EventMetadata meta = caller_metadata(*principal, request);
  if (auto s = check_empty_command_body(request.body); !s.ok()) {
    record_rejected_command(pool_, {action, "job", target, 400, "invalid_request"}, meta);
    return responder.send(error_response(400, "invalid_request", s.error().message));
  }
  const auto id = from_api_id(id_prefix::kJob, target);
  if (!id) {
    record_rejected_command(pool_, {action, "job", target, 404, "not_found"}, meta);
    return responder.send(no_such_job());
  }
  auto idempotency = idempotency_key_of(request, *principal);
  auto task = [this, responder, job = *id, event, meta = std::move(meta), action, target,
               idem = idempotency.ok() ? *idempotency : std::nullopt](pqxx::connection& conn) {
    JobCommandOutcome out = apply_job_command(conn, job, event, meta, idem, config_.keyring);
    if (!out.error_code.empty()) {
      record_rejected_command(pool_, {action, "job", target, out.response.status, out.error_code},
                              meta);
    }
    if (out.applied && event == JobEvent::kCancelled) {
      // Workers holding the job abort their call; one that misses this finds the stream moved
      // on and drops its result.
      redis_.command({"PUBLISH", keys_.cancel_channel(), job.to_string()},
                     [](Result<RedisReply>) {});
      log::info("jobs.cancelled",
                {{"request_id", log::id(meta.request_id)}, {"job_id", log::id(job.to_string())}});
    }
    responder.send(std::move(out.response));
  };
  run_on_pool(pool_, responder, std::move(task));
}

}  // namespace bl
