#include "app/status_command.hpp"

#include <chrono>
#include <cstdio>

#include "app/flags.hpp"
#include "core/fleet_status.hpp"
#include "core/json.hpp"
#include "core/pg.hpp"
#include "projections/projection_lag.hpp"

namespace bl {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void print_text(const JsonValue& doc, std::int64_t now) {
  std::printf("%-32s %4s %10s %10s\n", "QUEUE (model)", "BAND", "LENGTH", "PENDING");
  for (const auto& q : doc["queues"].GetArray()) {
    std::printf("%-32s %4lld %10lld %10lld\n",
                std::string(json_string(q, "model").value_or("")).c_str(),
                static_cast<long long>(json_int(q, "band").value_or(0)),
                static_cast<long long>(json_int(q, "length").value_or(0)),
                static_cast<long long>(json_int(q, "pending").value_or(0)));
  }
  std::printf("\n%-32s %-20s %8s %9s %8s  %s\n", "WORKER", "HOST", "PID", "IN FLIGHT", "SEEN",
              "MODELS");
  for (const auto& w : doc["workers"].GetArray()) {
    std::string models;
    for (const auto& m : w["models"].GetArray())
      models += (models.empty() ? "" : ",") + std::string(as_view(m));
    const std::string in_flight = std::to_string(json_int(w, "in_flight").value_or(0)) + "/" +
                                  std::to_string(json_int(w, "max_in_flight").value_or(0));
    std::printf("%-32s %-20s %8lld %9s %6llds  %s\n",
                std::string(json_string(w, "id").value_or("")).c_str(),
                std::string(json_string(w, "host").value_or("")).c_str(),
                static_cast<long long>(json_int(w, "pid").value_or(0)), in_flight.c_str(),
                static_cast<long long>((now - json_int(w, "last_seen_ms").value_or(now)) / 1000),
                models.c_str());
  }
  std::printf("\n%-32s %12s %12s\n", "PROJECTION", "LAG EVENTS", "LAG SECONDS");
  for (const auto& p : doc["projections"].GetArray()) {
    std::printf("%-32s %12lld %12.1f\n", std::string(json_string(p, "name").value_or("")).c_str(),
                static_cast<long long>(json_int(p, "lag_events").value_or(0)),
                p.HasMember("lag_seconds") && p["lag_seconds"].IsNumber()
                    ? p["lag_seconds"].GetDouble()
                    : 0.0);
  }
}

}  // namespace

int run_status_command(const Config& config, int argc, char** argv) {
  const Flags flags = parse_flags(argc, argv, 2, {"json"});
  auto redis = RedisClient::connect(config.redis_host, config.redis_port, config.redis_timeout_ms);
  if (!redis.ok()) {
    std::fprintf(stderr, "batchline: redis unreachable\n");
    return 1;
  }
  const std::int64_t now = now_ms();
  // Projection lag needs PostgreSQL; without it the rest is still worth showing.
  std::vector<ProjectionLagFigure> lag;
  if (auto pg = pg_connect(config.database_url, 5000); pg.ok())
    lag = projection_lag_figures(**pg, config);
  else
    std::fprintf(stderr, "batchline: postgresql unreachable; projection lag not shown\n");
  auto status = fleet_status_json(**redis, config.redis_prefix, config.models, now, lag);
  if (!status.ok()) {
    std::fprintf(stderr, "batchline: %s\n", error_code_name(status.error().code));
    return 1;
  }
  if (flags.has("json")) {
    std::printf("%s\n", status->c_str());
    return 0;
  }
  auto doc = parse_json(*status);
  if (!doc.ok()) return 1;
  print_text(*doc, now);
  return 0;
}

}  // namespace bl
