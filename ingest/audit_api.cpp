#include "ingest/audit_api.hpp"

#include <charconv>
#include <ctime>

#include "core/api_error.hpp"
#include "ingest/access.hpp"
#include "ingest/list_page.hpp"
#include "ingest/pool_replies.hpp"
#include "projections/audit_queries.hpp"

namespace bl {
namespace {

constexpr int kDefaultLimit = 20;
constexpr int kMaxLimit = 1000;
constexpr int kExportPage = 1000;
// An export answers at most this many records (the response is built in memory); the header
// X-Audit-Next-After names the record to continue after.
constexpr int kMaxExportRecords = 200000;

// Unix seconds or YYYY-MM-DD (UTC midnight), as epoch milliseconds.
std::optional<std::int64_t> parse_time(const std::string& s) {
  std::int64_t secs = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), secs);
  if (ec == std::errc() && p == s.data() + s.size() && secs >= 0) return secs * 1000;
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%d", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

Result<AuditFilter> audit_filter(const HttpRequest& request, const Principal& caller) {
  AuditFilter f;
  f.org_id = caller.org_id;
  f.action = request.query_param("action");
  f.actor_key_id = request.query_param("actor_key_id");
  f.target_type = request.query_param("target_type");
  f.target_id = request.query_param("target_id");
  f.outcome = request.query_param("outcome");
  for (auto [name, out] : {std::pair{"from", &f.from_ms}, std::pair{"to", &f.to_ms}}) {
    auto v = request.query_param(name);
    if (!v) continue;
    *out = parse_time(*v);
    if (!*out) return Error::invalid(std::string(name) + " must be unix seconds or YYYY-MM-DD");
  }
  if (auto after = request.query_param("after")) {
    f.before = from_api_id(id_prefix::kAuditRecord, *after);
    if (!f.before) return Error::invalid("after must be an audit record id");
  }
  return f;
}

void write_record(JsonWriter& w, const AuditRecord& r) {
  w.begin_object();
  w.field("id", to_api_id(id_prefix::kAuditRecord, r.id));
  w.field("object", "audit_record");
  w.field("time", r.time_ms / 1000);
  w.field("org_id", r.org_id);
  w.field("workspace_id", r.workspace_id);
  w.field("actor_key_id", r.actor_key_id);
  w.field("action", r.action);
  w.field("target_type", r.target_type);
  w.optional_field("target_id", r.target_id);
  w.field("request_id", r.request_id);
  w.field("outcome", r.outcome);
  w.field("status", r.status);
  w.optional_field("error_code", r.error_code);
  w.field("count", r.count);
  w.end_object();
}

// A CSV field: quoted when it holds a separator, quote or line break. Values are ids and codes,
// but a formula-looking value is prefixed with ' so spreadsheets do not evaluate it.
void append_csv(std::string& out, std::string_view v) {
  const bool formula = !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@');
  const bool quote = formula || v.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out += v;
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_csv_row(std::string& out, const AuditRecord& r) {
  const std::string fields[] = {to_api_id(id_prefix::kAuditRecord, r.id),
                                std::to_string(r.time_ms / 1000),
                                r.org_id,
                                r.workspace_id,
                                r.actor_key_id,
                                r.action,
                                r.target_type,
                                r.target_id.value_or(""),
                                r.request_id,
                                r.outcome,
                                std::to_string(r.status),
                                r.error_code.value_or(""),
                                std::to_string(r.count)};
  for (std::size_t i = 0; i < std::size(fields); ++i) {
    if (i > 0) out += ',';
    append_csv(out, fields[i]);
  }
  out += "\r\n";
}

}  // namespace

void AuditApi::add_routes(Router& router) {
  router.add("GET", "/v1/admin/audit", [this](HttpRequest& r, Responder res) { list(r, res); });
  router.add("GET", "/v1/admin/audit/export",
             [this](HttpRequest& r, Responder res) { export_records(r, res); });
  router.add("GET", "/v1/admin/audit/stats",
             [this](HttpRequest& r, Responder res) { stats(r, res); });
}

void AuditApi::list(HttpRequest& request, Responder responder) {
  auto caller = admin_caller(auth_, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  auto page = parse_page(request, kDefaultLimit, kMaxLimit);
  if (!page.ok()) return responder.send(error_response(page.error()));
  auto filter = audit_filter(request, *caller);
  if (!filter.ok()) return responder.send(error_response(filter.error()));
  run_on_pool(pool_, responder,
              [responder, f = std::move(*filter), limit = page->limit](pqxx::connection& conn) {
                auto records = pg_call([&]() -> Result<std::vector<AuditRecord>> {
                  pqxx::read_transaction tx(conn);
                  return list_audit(tx, f, limit + 1);
                });
                if (!records.ok()) return responder.send(database_error_response(records.error()));
                const bool more = trim_page(*records, limit);
                std::vector<std::string> ids;
                for (const auto& r : *records)
                  ids.push_back(to_api_id(id_prefix::kAuditRecord, r.id));
                responder.send(
                    HttpResponse::json(200, list_json(ids, more, [&](JsonWriter& w, std::size_t i) {
                                         write_record(w, (*records)[i]);
                                       })));
              });
}

void AuditApi::export_records(HttpRequest& request, Responder responder) {
  auto caller = admin_caller(auth_, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  const std::string format = request.query_param("format").value_or("json");
  if (format != "json" && format != "csv") {
    return responder.send(error_response(400, "invalid_request", "format must be csv or json"));
  }
  auto filter = audit_filter(request, *caller);
  if (!filter.ok()) return responder.send(error_response(filter.error()));
  run_on_pool(
      pool_, responder, [responder, f = std::move(*filter), format](pqxx::connection& conn) {
        const bool csv = format == "csv";
        std::string body = csv ? "id,time,org_id,workspace_id,actor_key_id,action,target_type,"
                                 "target_id,request_id,outcome,status,error_code,count\r\n"
                               : "[";
        int written = 0;
        std::optional<Uuid> next;
        AuditFilter page_filter = f;
        // One snapshot for the whole export, read page by page (keyset on the id).
        auto done = pg_call([&]() -> Status {
          pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
          for (;;) {
            const auto records = list_audit(tx, page_filter, kExportPage);
            for (const auto& r : records) {
              if (written == kMaxExportRecords) {
                next = page_filter.before;
                return {};
              }
              if (csv) {
                append_csv_row(body, r);
              } else {
                JsonWriter w;
                write_record(w, r);
                if (written > 0) body += ',';
                body += w.str();
              }
              ++written;
              page_filter.before = r.id;
            }
            if (records.size() < static_cast<std::size_t>(kExportPage)) return {};
          }
        });
        if (!done.ok()) return responder.send(database_error_response(done.error()));
        if (!csv) body += "]";
        HttpResponse answer =
            csv ? HttpResponse::text(200, std::move(body), "text/csv; charset=utf-8")
                : HttpResponse::json(200, std::move(body));
        answer.headers.emplace_back("Content-Disposition",
                                    std::string("attachment; filename=\"audit.") + format + "\"");
        if (next) {
          answer.headers.emplace_back("X-Audit-Next-After",
                                      to_api_id(id_prefix::kAuditRecord, *next));
        }
        responder.send(std::move(answer));
      });
}

void AuditApi::stats(HttpRequest& request, Responder responder) {
  auto caller = admin_caller(auth_, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  auto filter = audit_filter(request, *caller);
  if (!filter.ok()) return responder.send(error_response(filter.error()));
  run_on_pool(pool_, responder, [responder, f = std::move(*filter)](pqxx::connection& conn) {
    auto counts = pg_call([&]() -> Result<std::vector<AuditCount>> {
      pqxx::read_transaction tx(conn);
      return count_audit(tx, f);
    });
    if (!counts.ok()) return responder.send(database_error_response(counts.error()));
    std::int64_t total = 0, rejected = 0;
    JsonWriter w;
    w.begin_object();
    w.field("object", "audit_stats");
    w.key("by_action").begin_array();
    for (const auto& c : *counts) {
      total += c.count;
      if (c.outcome != "succeeded") rejected += c.count;
      w.begin_object();
      w.field("action", c.action);
      w.field("outcome", c.outcome);
      w.field("count", c.count);
      w.end_object();
    }
    w.end_array();
    w.field("total", total);
    w.field("rejected", rejected);
    w.end_object();
    responder.send(HttpResponse::json(200, w.str()));
  });
}

}  // namespace bl
