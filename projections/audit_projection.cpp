#include "projections/audit_projection.hpp"

#include "core/job_events.hpp"
#include "core/json.hpp"

namespace bl {
namespace {

constexpr std::string_view kAuditStream = "audit";
constexpr std::string_view kCommandAuditedEvent = "CommandAudited";

std::optional<std::string> text_of(const JsonValue& doc, std::string_view name) {
  auto s = json_string(doc, name);
  return s ? std::optional<std::string>(std::string(*s)) : std::nullopt;
}

}  // namespace

void AuditProjection::apply(pqxx::transaction_base& tx, const std::vector<RecordedEvent>& events) {
  std::vector<Uuid> ids;
  std::vector<std::optional<std::string>> org, ws, key, action, target_type, target_id, request,
      outcome, error_code;
  std::vector<std::optional<std::int64_t>> time, status, count;
  for (const auto& e : events) {
    if (e.stream_type != kAuditStream || e.type != kCommandAuditedEvent) continue;
    auto doc = parse_json(e.data);
    if (!doc.ok() || !doc->IsObject()) continue;
    const EventMetadata m = decode_metadata(e.metadata);
    ids.push_back(e.stream_id);
    time.push_back(e.recorded_at_ms);
    org.push_back(m.org_id);
    ws.push_back(m.workspace_id);
    key.push_back(m.key_id);
    request.push_back(m.request_id);
    action.push_back(text_of(*doc, "action").value_or(""));
    target_type.push_back(text_of(*doc, "target_type").value_or(""));
    target_id.push_back(text_of(*doc, "target_id"));
    outcome.push_back(text_of(*doc, "outcome").value_or("succeeded"));
    status.push_back(json_int(*doc, "status").value_or(0));
    error_code.push_back(text_of(*doc, "error_code"));
    count.push_back(json_int(*doc, "count").value_or(1));
  }
  if (ids.empty()) return;
  tx.exec_params(
      "INSERT INTO audit_records (audit_id, time, org_id, workspace_id, actor_key_id, action,"
      " target_type, target_id, request_id, outcome, status, error_code, count)"
      " SELECT u.id, to_timestamp(u.time / 1000.0), u.org, u.ws, u.key, u.action, u.ttype, u.tid,"
      " u.request, u.outcome, u.status, u.error_code, u.count"
      " FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],"
      " $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::text[], $13::int[])"
      " AS u(id, time, org, ws, key, action, ttype, tid, request, outcome, status, error_code,"
      " count)"
      " ON CONFLICT (audit_id) DO NOTHING",
      pg_uuid_array(ids), pg_nullable_int_array(time), pg_nullable_text_array(org),
      pg_nullable_text_array(ws), pg_nullable_text_array(key), pg_nullable_text_array(action),
      pg_nullable_text_array(target_type), pg_nullable_text_array(target_id),
      pg_nullable_text_array(request), pg_nullable_text_array(outcome),
      pg_nullable_int_array(status), pg_nullable_text_array(error_code),
      pg_nullable_int_array(count));
}

}  // namespace bl
