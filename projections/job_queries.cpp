#include "projections/job_queries.hpp"

#include <algorithm>
#include <unordered_set>

namespace bl {
namespace {

// When the projection is this many events behind, a list shows the read model alone
// (eventually consistent) rather than examine and fold them all.
constexpr int kMaxOverlayEvents = 10000;

std::optional<std::string> opt_text(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(f.as<std::string>());
}

std::optional<std::int64_t> opt_int(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::int64_t>(f.as<std::int64_t>());
}

std::string ms(const char* column) {
  return std::string("(extract(epoch FROM ") + column + ") * 1000)::bigint";
}

const std::string& row_columns() {
  static const std::string columns =
      "job_id::text, org_id, workspace_id, batch_id::text, custom_id, model, priority,"
      " status, attempts, version, " +
      ms("created_at") + ", " + ms("updated_at") + ", " + ms("started_at") + ", " +
      ms("finished_at") +
      ", input_tokens, output_tokens, cached_tokens, latency_ms, finish_reason,"
      " result::text, error::text, conversation_id::text, client_reference::text, " +
      ms("acknowledged_at");
  return columns;
}

JobRow to_row(const pqxx::row& r) {
  JobRow row;
  row.job_id = Uuid::parse(pg_view(r[0])).value_or(Uuid());
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
  if (!r[21].is_null()) row.conversation_id = Uuid::parse(pg_view(r[21]));
  row.client_reference_box = opt_text(r[22]);
  row.acknowledged_ms = opt_int(r[23]);
  return row;
}

std::vector<JobRow> fold_streams(pqxx::transaction_base& tx, const std::vector<Uuid>& jobs) {
  std::vector<JobRow> rows;
  for (const auto& e : read_streams(tx, jobs)) {
    if (rows.empty() || rows.back().job_id != e.stream_id) rows.emplace_back();
    fold_job_event(rows.back(), e);
  }
  return rows;
}

bool matches(const JobRow& row, const JobListQuery& q) {
  if (row.workspace_id.value_or("") != q.workspace_id) return false;
  if (q.status && row.status != *q.status) return false;
  if (q.batch_id && row.batch_id != q.batch_id) return false;
  if (q.before && !(row.job_id < *q.before)) return false;
  return true;
}

// Jobs of the workspace with events past the jobs projection's checkpoint, written by this
// workspace's requests (their metadata names it), folded from the log. nullopt when there
// are too many to fold.
std::optional<std::vector<JobRow>> unprojected_jobs(pqxx::transaction_base& tx,
                                                    const std::string& workspace_id) {
  const auto row = tx.exec_params1(
      "WITH recent AS (SELECT e.stream_id, e.stream_type, e.metadata FROM events e"
      " LEFT JOIN projection_checkpoints c ON c.name = 'jobs'"
      " WHERE (e.tx_id, e.position) > (coalesce(c.last_tx_id, '0'::xid8),"
      " coalesce(c.last_position, 0)) ORDER BY e.tx_id, e.position LIMIT $2)"
      " SELECT (SELECT count(*) FROM recent), (SELECT coalesce(array_agg(DISTINCT stream_id), '{}')"
      " FROM recent WHERE stream_type = 'job' AND metadata->>'workspace_id' = $1)::text",
      workspace_id, kMaxOverlayEvents + 1);
  if (row[0].as<int>() > kMaxOverlayEvents) return std::nullopt;
  // A uuid[] prints as {a,b,...}.
  std::vector<Uuid> ids;
  std::string_view list = pg_view(row[1]);
  list = list.substr(1, list.size() - 2);
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (auto id = Uuid::parse(list.substr(0, comma))) ids.push_back(*id);
    if (comma == std::string_view::npos) break;
    list = list.substr(comma + 1);
  }
  return fold_streams(tx, ids);
}

}  // namespace

std::optional<JobRow> find_job_row(pqxx::transaction_base& tx, const Uuid& job) {
  const auto rows = tx.exec_params("SELECT " + row_columns() + " FROM jobs WHERE job_id = $1::uuid",
                                   job.to_string());
  if (rows.empty()) return std::nullopt;
  return to_row(rows[0]);
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

JobListPage list_jobs(pqxx::transaction_base& tx, const JobListQuery& q) {
  const auto overlay = unprojected_jobs(tx, q.workspace_id);
  const std::size_t extra = overlay ? overlay->size() : 0;
  const auto rows = tx.exec_params(
      "SELECT " + row_columns() +
          " FROM jobs WHERE workspace_id = $1 AND ($2 = '' OR status = $2)"
          " AND ($3 = '' OR batch_id = nullif($3, '')::uuid)"
          " AND ($4 = '' OR job_id < nullif($4, '')::uuid)"
          " ORDER BY job_id DESC LIMIT $5",
      q.workspace_id, q.status ? std::string(job_state_name(*q.status)) : std::string(),
      q.batch_id ? q.batch_id->to_string() : std::string(),
      q.before ? q.before->to_string() : std::string(),
      static_cast<std::int64_t>(q.limit + 1 + extra));
  JobListPage page;
  std::unordered_set<Uuid, UuidHash> newer;
  if (overlay) {
    for (const auto& r : *overlay) {
      newer.insert(r.job_id);
      if (matches(r, q)) page.rows.push_back(r);
    }
  }
  for (const auto& r : rows) {
    JobRow row = to_row(r);
    if (newer.count(row.job_id) == 0) page.rows.push_back(std::move(row));
  }
  std::sort(page.rows.begin(), page.rows.end(),
            [](const JobRow& a, const JobRow& b) { return b.job_id < a.job_id; });
  page.has_more = page.rows.size() > static_cast<std::size_t>(q.limit);
  if (page.has_more) page.rows.resize(static_cast<std::size_t>(q.limit));
  return page;
}

}  // namespace bl
