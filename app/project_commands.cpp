#include "app/project_commands.hpp"

#include <cstdio>

#include "app/flags.hpp"
#include "core/json.hpp"
#include "core/stop_signal.hpp"
#include "projections/projection_lag.hpp"
#include "projections/projection_rebuild.hpp"
#include "projections/projector.hpp"

namespace bl {
namespace {

int print_status(const Config& config, bool as_json) {
  auto conn = pg_connect(config.database_url);
  if (!conn.ok()) {
    std::fprintf(stderr, "batchline: %s\n", conn.error().message.c_str());
    return 1;
  }
  JsonWriter w;
  w.begin_object().key("projections").begin_array();
  if (!as_json)
    std::printf("%-10s %14s %12s  %s\n", "projection", "lag_events", "lag_seconds", "checkpoint");
  for (const auto& p : all_projections(config)) {
    auto lag = read_projection_lag(**conn, std::string(p->name()));
    if (!lag.ok()) {
      std::fprintf(stderr, "batchline: %s\n", lag.error().message.c_str());
      return 1;
    }
    w.begin_object();
    w.field("name", lag->name);
    w.field("lag_events", lag->events);
    w.field("lag_seconds", lag->seconds);
    w.field("last_tx_id", std::to_string(lag->checkpoint.tx_id));
    w.field("last_position", lag->checkpoint.position);
    w.field("rebuildable", !p->tables().empty());
    w.end_object();
    if (!as_json) {
      std::printf("%-10s %14lld %12.1f  (%llu, %lld)\n", lag->name.c_str(),
                  static_cast<long long>(lag->events), lag->seconds,
                  static_cast<unsigned long long>(lag->checkpoint.tx_id),
                  static_cast<long long>(lag->checkpoint.position));
    }
  }
  w.end_array().end_object();
  if (as_json) std::printf("%s\n", w.str().c_str());
  return 0;
}

int rebuild(const Config& config, const std::string& name) {
  auto projection = projection_named(config, name);
  if (!projection) {
    std::fprintf(stderr, "batchline: no projection named \"%s\"\n", name.c_str());
    return 2;
  }
  StopSignal stop;
  StopSignal::install_handlers(stop);
  auto report = rebuild_projection(config, *projection, stop);
  if (!report.ok()) {
    std::fprintf(stderr, "batchline: rebuild of %s failed: %s\n", name.c_str(),
                 report.error().message.c_str());
    return 1;
  }
  std::printf("rebuilt %s: %lld events in %.1f s (%.0f events/s)\n", name.c_str(),
              static_cast<long long>(report->events), report->seconds,
              report->seconds > 0 ? static_cast<double>(report->events) / report->seconds : 0.0);
  return 0;
}

}  // namespace

int run_project_command(const Config& config, int argc, char** argv) {
  const Flags flags = parse_flags(argc, argv, 2, {"status", "json"});
  if (flags.has("rebuild")) return rebuild(config, flags.get("rebuild"));
  if (flags.has("status")) return print_status(config, flags.has("json"));
  std::fputs("usage: batchline project [--rebuild NAME | --status [--json]]\n", stderr);
  return 2;
}

}  // namespace bl
