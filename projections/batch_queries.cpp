#include "projections/batch_queries.hpp"

namespace bl {
namespace {

constexpr const char* kColumns =
    "batch_id::text, version, org_id, workspace_id, api, status, endpoint, completion_window,"
    " model, input_file_id::text, metadata::text, errors::text, output_file_id::text,"
    " error_file_id::text, total, pending, succeeded, failed, cancelled, expired, retries,"
    " input_tokens, output_tokens, cached_tokens, cost_nano_usd,"
    " (extract(epoch FROM created_at) * 1000)::bigint,"
    " (extract(epoch FROM expires_at) * 1000)::bigint,"
    " (extract(epoch FROM in_progress_at) * 1000)::bigint,"
    " (extract(epoch FROM finalizing_at) * 1000)::bigint,"
    " (extract(epoch FROM completed_at) * 1000)::bigint,"
    " (extract(epoch FROM failed_at) * 1000)::bigint,"
    " (extract(epoch FROM expired_at) * 1000)::bigint,"
    " (extract(epoch FROM cancelling_at) * 1000)::bigint,"
    " (extract(epoch FROM cancelled_at) * 1000)::bigint,"
    " (extract(epoch FROM first_result_at) * 1000)::bigint,"
    " (extract(epoch FROM last_result_at) * 1000)::bigint, deleted_at IS NOT NULL";

std::optional<std::string> opt_text(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(f.as<std::string>());
}

std::optional<std::int64_t> opt_ms(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::int64_t>(f.as<std::int64_t>());
}

std::optional<Uuid> opt_uuid(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : Uuid::parse(pg_view(f));
}

BatchRow to_row(const pqxx::row& r) {
  BatchRow b;
  b.batch_id = Uuid::parse(pg_view(r[0])).value_or(Uuid());
  b.version = r[1].as<int>();
  b.org_id = r[2].as<std::string>();
  b.workspace_id = r[3].as<std::string>();
  b.api = parse_batch_api(pg_view(r[4])).value_or(BatchApi::kOpenAi);
  b.status = parse_batch_status(pg_view(r[5])).value_or(BatchStatus::kNone);
  b.endpoint = r[6].as<std::string>();
  b.completion_window = r[7].as<std::string>();
  b.model = opt_text(r[8]);
  b.input_file_id = opt_uuid(r[9]);
  b.metadata_box = opt_text(r[10]);
  b.errors_json = opt_text(r[11]);
  b.output_file_id = opt_uuid(r[12]);
  b.error_file_id = opt_uuid(r[13]);
  BatchCounts& c = b.counts;
  c.total = r[14].as<int>();
  c.pending = r[15].as<int>();
  c.succeeded = r[16].as<int>();
  c.failed = r[17].as<int>();
  c.cancelled = r[18].as<int>();
  c.expired = r[19].as<int>();
  c.retries = r[20].as<int>();
  c.input_tokens = r[21].as<std::int64_t>();
  c.output_tokens = r[22].as<std::int64_t>();
  c.cached_tokens = r[23].as<std::int64_t>();
  c.cost_nano_usd = r[24].as<std::int64_t>();
  b.created_ms = r[25].as<std::int64_t>();
  b.expires_ms = r[26].as<std::int64_t>();
  b.in_progress_ms = opt_ms(r[27]);
  b.finalizing_ms = opt_ms(r[28]);
  b.completed_ms = opt_ms(r[29]);
  b.failed_ms = opt_ms(r[30]);
  b.expired_ms = opt_ms(r[31]);
  b.cancelling_ms = opt_ms(r[32]);
  b.cancelled_ms = opt_ms(r[33]);
  b.first_result_ms = opt_ms(r[34]);
  b.last_result_ms = opt_ms(r[35]);
  b.deleted = r[36].as<bool>();
  return b;
}

}  // namespace

std::vector<BatchRow> load_batch_rows(pqxx::transaction_base& tx, const std::vector<Uuid>& ids) {
  std::vector<BatchRow> out;
  if (ids.empty()) return out;
  for (const auto& r : tx.exec_params(
           std::string("SELECT ") + kColumns + " FROM batches WHERE batch_id = ANY($1::uuid[])",
           pg_uuid_array(ids))) {
    out.push_back(to_row(r));
  }
  return out;
}

std::optional<BatchRow> read_batch(pqxx::transaction_base& tx, const Uuid& batch) {
  auto rows = load_batch_rows(tx, {batch});
  const auto events = read_stream(tx, batch);
  if (events.empty() || events.front().stream_type != kBatchStreamType) return std::nullopt;
  BatchRow row = rows.empty() ? BatchRow{} : std::move(rows.front());
  for (const auto& e : events) {
    // The projection lags behind the log: fold what it has not applied yet.
    if (e.version > row.version) fold_batch_event(row, e);
  }
  if (rows.empty() && row.status == BatchStatus::kInProgress) {
    row.counts.pending = row.counts.total;  // no job can have finished before the projection
  }
  return row;
}

std::vector<BatchRow> list_batches(pqxx::transaction_base& tx, const BatchListQuery& q) {
  std::vector<BatchRow> out;
  for (const auto& r : tx.exec_params(
           std::string("SELECT ") + kColumns +
               " FROM batches WHERE workspace_id = $1 AND api = $2 AND deleted_at IS NULL"
               " AND ($3::uuid IS NULL OR batch_id < $3::uuid)"
               " ORDER BY batch_id DESC LIMIT $4",
           q.workspace, std::string(batch_api_name(q.api)),
           q.after ? std::optional<std::string>(q.after->to_string()) : std::nullopt,
           q.limit + 1)) {
    out.push_back(to_row(r));
  }
  return out;
}

std::vector<Uuid> batches_needing_work(pqxx::transaction_base& tx, int limit) {
  std::vector<Uuid> out;
  for (const auto& r : tx.exec_params(
           "SELECT batch_id::text FROM batches WHERE status IN ('in_progress', 'cancelling')"
           " AND (status = 'cancelling' OR pending = 0 OR expires_at <= now())"
           " ORDER BY batch_id LIMIT $1",
           limit)) {
    if (auto id = Uuid::parse(pg_view(r[0]))) out.push_back(*id);
  }
  return out;
}

}  // namespace bl
