#include "projections/job_queries.hpp"

namespace bl {
namespace {

std::optional<std::string> opt_text(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(f.as<std::string>());
}

std::optional<std::int64_t> opt_int(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::int64_t>(f.as<std::int64_t>());
}

constexpr const char* kMs = "(extract(epoch FROM %s) * 1000)::bigint";

std::string ms(const char* column) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), kMs, column);
  return buf;
}

}  // namespace

std::optional<JobRow> find_job_row(pqxx::transaction_base& tx, const Uuid& job) {
  const auto rows = tx.exec_params(
      "SELECT job_id::text, org_id, workspace_id, batch_id::text, custom_id, model, priority,"
      " status, attempts, version, " +
          ms("created_at") + ", " + ms("updated_at") + ", " + ms("started_at") + ", " +
          ms("finished_at") +
          ", input_tokens, output_tokens, cached_tokens, latency_ms, finish_reason,"
          " result::text, error::text FROM jobs WHERE job_id = $1::uuid",
      job.to_string());
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  JobRow row;
  row.job_id = job;
  row.org_id = r[1].as<std::string>();
  row.workspace_id = r[2].as<std::string>();
  if (!r[3].is_null()) row.batch_id = Uuid::parse(pg_view(r[3]));
  row.custom_id = opt_text(r[4]);
  row.model = r[5].as<std::string>();
  row.priority = r[6].as<int>();
  row.status = parse_job_state(pg_view(r[7])).value_or(JobState::kNone);
  row.attempts = r[8].as<int>();
  row.version = r[9].as<int>();
  row.created_ms = opt_int(r[10]);
  row.updated_ms = r[11].as<std::int64_t>();
  row.started_ms = opt_int(r[12]);
  row.finished_ms = opt_int(r[13]);
  row.input_tokens = opt_int(r[14]);
  row.output_tokens = opt_int(r[15]);
  row.cached_tokens = opt_int(r[16]);
  row.latency_ms = opt_int(r[17]);
  row.finish_reason = opt_text(r[18]);
  row.result_json = opt_text(r[19]);
  row.error_json = opt_text(r[20]);
  return row;
}

std::optional<JobRow> read_job(pqxx::transaction_base& tx, const Uuid& job) {
  auto row = find_job_row(tx, job);
  const auto events = read_stream(tx, job);
  if (events.empty()) return row;
  if (row && row->version >= events.back().version) return row;
  // The projection lags behind the log: fold the stream (read-your-writes).
  JobRow folded;
  for (const auto& e : events)
    fold_job_event(folded, e);
  return folded;
}

}  // namespace bl
