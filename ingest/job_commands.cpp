#include "ingest/job_commands.hpp"

#include "core/api_error.hpp"
#include "core/event_log.hpp"
#include "ingest/command_audit.hpp"
#include "ingest/job_json.hpp"
#include "ingest/pool_replies.hpp"
#include "projections/job_queries.hpp"

namespace bl {
namespace {

std::string event_data(JobEvent event) {
  return event == JobEvent::kCancelled ? encode(JobCancelled{"client"}) : std::string("{}");
}

HttpResponse illegal_transition(JobState current, JobEvent event) {
  JsonWriter details;
  details.begin_object().field("current_status", job_state_name(current)).end_object();
  return error_response(ApiError{409, "invalid_job_state",
                                 "the job is " + std::string(job_state_name(current)) + "; " +
                                     std::string(job_event_type(event)) +
                                     " is not allowed from that state",
                                 std::nullopt, details.str()});
}

}  // namespace

std::string_view job_command_action(JobEvent event) {
  switch (event) {
    case JobEvent::kCancelled:
      return "jobs.cancel";
    case JobEvent::kConsumed:
      return "jobs.consume";
    case JobEvent::kConsumeFailed:
      return "jobs.consume_failed";
    default:
      return "jobs.command";
  }
}

JobCommandOutcome apply_job_command(pqxx::connection& conn, const Uuid& job, JobEvent event,
                                    const EventMetadata& caller,
                                    const std::optional<IdempotencyKey>& idempotency,
                                    const DataKeyring& ring) {
  const std::string api_id = to_api_id(id_prefix::kJob, job);
  JobCommandOutcome out;
  auto done = pg_call([&]() -> Status {
    pqxx::work tx(conn);
    // The stream lock comes first: this transaction's id is then newer than every earlier
    // writer of the stream (docs/architecture.md, "Per-stream order").
    lock_streams(tx, {job});
    const StreamHeads heads = read_stream_heads(tx, {job});
    const auto owner = tx.exec_params(
        "SELECT metadata->>'workspace_id' FROM events WHERE stream_id = $1::uuid AND version = 1",
        job.to_string());
    auto head = heads.find(job);
    if (head == heads.end() || owner.empty() || owner[0][0].is_null() ||
        owner[0][0].as<std::string>() != caller.workspace_id) {
      out.response = error_response(404, "not_found", "no such job");
      out.error_code = "not_found";
      return {};  // nothing written: the transaction rolls back
    }
    const JobState current = state_of_last_event(head->second.last_type);
    if (!check_transition(current, event).ok()) {
      out.response = illegal_transition(current, event);
      out.error_code = "invalid_job_state";
      return {};
    }
    const std::string metadata = encode_metadata(caller);
    std::vector<StreamAppend> appends;
    appends.push_back(
        StreamAppend{job,
                     std::string(kJobStreamType),
                     head->second.version,
                     {NewEvent{std::string(job_event_type(event)), event_data(event), metadata}}});
    appends.push_back(
        audit_append({std::string(job_command_action(event)), "job", api_id, 200, "", 1}, caller));
    if (auto s = append_events(tx, appends); !s.ok()) return s;
    auto row = read_job(tx, job);
    if (!row) return Error::internal("job vanished inside its own transaction");
    JsonWriter w;
    write_job_json(w, *row, ring);
    out.response = HttpResponse::json(200, w.str());
    if (idempotency) {
      if (auto s = record_idempotent_response(tx, *idempotency, out.response, ring); !s.ok())
        return s;
    }
    tx.commit();
    out.applied = true;
    return {};
  });
  if (!done.ok()) {
    out = JobCommandOutcome{database_error_response(done.error()), false, ""};
  }
  return out;
}

}  // namespace bl
