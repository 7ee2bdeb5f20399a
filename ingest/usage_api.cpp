#include "ingest/usage_api.hpp"

#include <chrono>
#include <ctime>
#include <functional>

#include "core/api_error.hpp"
#include "core/event_log.hpp"
#include "ingest/access.hpp"
#include "ingest/command_audit.hpp"
#include "ingest/pool_replies.hpp"
#include "ingest/quota_store.hpp"
#include "projections/usage_queries.hpp"

namespace bl {
namespace {

constexpr std::size_t kQuotaBodyBytes = 1024;
constexpr int kMaxHistory = 1000;

bool is_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  std::tm tm{};
  tm.tm_year = std::stoi(s.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(s.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(s.substr(8, 2));
  const std::tm asked = tm;
  const std::time_t t = timegm(&tm);
  std::tm back{};
  gmtime_r(&t, &back);
  return back.tm_year == asked.tm_year && back.tm_mon == asked.tm_mon &&
         back.tm_mday == asked.tm_mday && asked.tm_year >= 0;
}

std::string utc_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::time_t date_time(const std::string& d) {
  std::tm tm{};
  tm.tm_year = std::stoi(d.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(d.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(d.substr(8, 2));
  return timegm(&tm);
}

// Client keys: their workspace; admin keys: their organization; operators: everything.
Result<Principal> usage_caller(const Authenticator& auth, const HttpRequest& request) {
  return auth.authenticate(request);
}

Result<UsageQuery> usage_query(const HttpRequest& request, const Principal& caller) {
  UsageQuery q;
  q.org_id = caller.org_id;
  if (caller.scope == Scope::kClient) q.workspace_id = caller.workspace_id;
  const std::string group = request.query_param("group_by").value_or("model");
  auto g = parse_usage_grouping(group);
  if (!g) return Error::invalid("group_by must be one of model, key, workspace, day");
  q.group_by = *g;
  const std::time_t now = std::time(nullptr);
  const std::string today = utc_date(now);
  q.from = request.query_param("from").value_or(today.substr(0, 8) + "01");
  q.to = request.query_param("to").value_or(today);
  if (!is_date(q.from) || !is_date(q.to)) {
    return Error::invalid("from and to must be dates as YYYY-MM-DD");
  }
  const std::time_t from = date_time(q.from), to = date_time(q.to);
  if (to < from) return Error::invalid("to must not be before from");
  if (to - from > 366LL * 86400) return Error::invalid("from and to may be at most 366 days apart");
  return q;
}

std::optional<std::int64_t> opt_int(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional(f.as<std::int64_t>());
}

void write_limits(JsonWriter& w, const QuotaLimits& l) {
  if (l.monthly_tokens) {
    w.field("monthly_token_limit", *l.monthly_tokens);
  } else {
    w.null_field("monthly_token_limit");
  }
  if (l.monthly_cost_nano) {
    w.field("monthly_cost_limit_nano_usd", *l.monthly_cost_nano);
  } else {
    w.null_field("monthly_cost_limit_nano_usd");
  }
}

// A limit member: absent or null is no limit; otherwise a whole number >= 0.
Result<std::optional<std::int64_t>> limit_member(const JsonValue& body, std::string_view name) {
  const JsonValue* v = json_member(body, name);
  if (v == nullptr || v->IsNull()) return std::optional<std::int64_t>();
  if (!v->IsInt64() || v->GetInt64() < 0) {
    return Error::invalid(std::string(name) + " must be a whole number >= 0 or null");
  }
  return std::optional<std::int64_t>(v->GetInt64());
}

Result<QuotaLimits> quota_body(const std::string& body) {
  auto doc = parse_json(body);
  if (!doc.ok() || !doc->IsObject()) return Error::invalid("the body must be a JSON object");
  for (auto it = doc->MemberBegin(); it != doc->MemberEnd(); ++it) {
    const std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (name != "monthly_token_limit" && name != "monthly_cost_limit_nano_usd") {
      return Error::invalid(
          "unknown member; expected monthly_token_limit and "
          "monthly_cost_limit_nano_usd");
    }
  }
  auto tokens = limit_member(*doc, "monthly_token_limit");
  if (!tokens.ok()) return tokens.error();
  auto cost = limit_member(*doc, "monthly_cost_limit_nano_usd");
  if (!cost.ok()) return cost.error();
  return QuotaLimits{*tokens, *cost};
}

// Admins act on their own organization; an operator names one with ?organization_id=.
Result<std::string> quota_org(const Principal& caller, const HttpRequest& request) {
  if (!caller.org_id.empty()) return caller.org_id;
  auto org = request.query_param("organization_id");
  if (!org || org->empty()) return Error::invalid("an operator key must name organization_id");
  return *org;
}

using QuotaReader = std::function<std::string(pqxx::transaction_base&, const std::string& org)>;

// An admin's read of its organization's quota data: read(tx, org) writes the answer.
void answer_quota_read(const Authenticator& auth, PgPool& pool, const HttpRequest& request,
                       Responder responder, QuotaReader read) {
  auto caller = admin_caller(auth, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  auto org = quota_org(*caller, request);
  if (!org.ok()) return responder.send(error_response(org.error()));
  run_on_pool(pool, responder,
              [responder, org = *org, read = std::move(read)](pqxx::connection& conn) {
                auto answer = pg_call([&]() -> Result<std::string> {
                  pqxx::read_transaction tx(conn);
                  return read(tx, org);
                });
                if (!answer.ok()) return responder.send(database_error_response(answer.error()));
                responder.send(HttpResponse::json(200, std::move(*answer)));
              });
}

}  // namespace

void UsageApi::add_routes(Router& router) {
  router.add("GET", "/v1/usage", [this](HttpRequest& r, Responder res) { usage(r, res); });
  router.add("GET", "/v1/admin/quota",
             [this](HttpRequest& r, Responder res) { get_quota(r, res); });
  router.add("POST", "/v1/admin/quota", kQuotaBodyBytes,
             [this](HttpRequest& r, Responder res) { set_quota(r, res); });
  router.add("GET", "/v1/admin/quota/history",
             [this](HttpRequest& r, Responder res) { quota_history(r, res); });
}

void UsageApi::usage(HttpRequest& request, Responder responder) {
  auto caller = usage_caller(auth_, request);
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  auto query = usage_query(request, *caller);
  if (!query.ok()) return responder.send(error_response(query.error()));
  run_on_pool(pool_, responder, [responder, q = std::move(*query)](pqxx::connection& conn) {
    auto sums = pg_call([&]() -> Result<std::vector<UsageSum>> {
      pqxx::read_transaction tx(conn);
      return sum_usage(tx, q);
    });
    if (!sums.ok()) return responder.send(database_error_response(sums.error()));
    JsonWriter w;
    w.begin_object();
    w.field("object", "list");
    w.field("group_by", usage_grouping_name(q.group_by));
    w.field("from", q.from);
    w.field("to", q.to);
    w.key("data").begin_array();
    for (const auto& s : *sums) {
      w.begin_object();
      w.field("group", s.group);
      w.field("requests", s.requests);
      w.field("input_tokens", s.input_tokens);
      w.field("output_tokens", s.output_tokens);
      w.field("cached_tokens", s.cached_tokens);
      w.field("cost_nano_usd", s.cost_nano_usd);
      w.end_object();
    }
    w.end_array().end_object();
    responder.send(HttpResponse::json(200, w.str()));
  });
}

void UsageApi::get_quota(HttpRequest& request, Responder responder) {
  answer_quota_read(auth_, pool_, request, responder,
                    [](pqxx::transaction_base& tx, const std::string& org) {
                      const QuotaLimits limits = read_quota(tx, org);
                      const UsageSum used = month_to_date_usage(tx, org);
                      JsonWriter w;
                      w.begin_object();
                      w.field("object", "quota");
                      w.field("organization_id", org);
                      write_limits(w, limits);
                      w.key("month_to_date").begin_object();
                      w.field("input_tokens", used.input_tokens);
                      w.field("output_tokens", used.output_tokens);
                      w.field("cost_nano_usd", used.cost_nano_usd);
                      w.end_object().end_object();
                      return w.str();
                    });
}

void UsageApi::set_quota(HttpRequest& request, Responder responder) {
  auto caller = command_caller(&admin_caller, auth_, pool_, request,
                               {"quota.update", "organization", "", 0, ""});
  if (!caller.ok()) return responder.send(error_response(caller.error()));
  const EventMetadata meta = caller_metadata(*caller, request);
  auto org = quota_org(*caller, request);
  auto limits = org.ok() ? quota_body(request.body) : Result<QuotaLimits>(org.error());
  if (!limits.ok()) {
    record_rejected_command(
        pool_,
        {"quota.update", "organization", caller->org_id, http_status_for(limits.error().code),
         error_code_name(limits.error().code)},
        meta);
    return responder.send(error_response(limits.error()));
  }
  run_on_pool(pool_, responder,
              [responder, meta, org = *org, limits = *limits](pqxx::connection& conn) {
                auto done = pg_call([&]() -> Status {
                  pqxx::work tx(conn);
                  auto s = append_events(
                      tx, {audit_append({"quota.update", "organization", org, 200, ""}, meta)});
                  if (!s.ok()) return s;
                  bl::set_quota(tx, org, limits, meta.key_id, meta.request_id);
                  tx.commit();
                  return {};
                });
                if (!done.ok()) return responder.send(database_error_response(done.error()));
                JsonWriter w;
                w.begin_object();
                w.field("object", "quota");
                w.field("organization_id", org);
                write_limits(w, limits);
                w.end_object();
                responder.send(HttpResponse::json(200, w.str()));
              });
}

void UsageApi::quota_history(HttpRequest& request, Responder responder) {
  answer_quota_read(auth_, pool_, request, responder,
                    [](pqxx::transaction_base& tx, const std::string& org) {
                      const auto rows = tx.exec_params(
                          "SELECT (extract(epoch FROM changed_at))::bigint, changed_by,"
                          " request_id, old_token_limit, old_cost_limit_nano, new_token_limit,"
                          " new_cost_limit_nano FROM quota_changes WHERE org_id = $1"
                          " ORDER BY id DESC LIMIT $2",
                          org, kMaxHistory);
                      JsonWriter w;
                      w.begin_object();
                      w.field("object", "list");
                      w.key("data").begin_array();
                      for (const auto& r : rows) {
                        w.begin_object();
                        w.field("changed_at", r[0].as<std::int64_t>());
                        w.field("changed_by", r[1].as<std::string>());
                        w.field("request_id", r[2].as<std::string>());
                        w.key("old").begin_object();
                        write_limits(w, {opt_int(r[3]), opt_int(r[4])});
                        w.end_object();
                        w.key("new").begin_object();
                        write_limits(w, {opt_int(r[5]), opt_int(r[6])});
                        w.end_object();
                        w.end_object();
                      }
                      w.end_array();
                      w.field("has_more", false);
                      w.end_object();
                      return w.str();
                    });
}

}  // namespace bl
