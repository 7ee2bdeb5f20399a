// projections: catch-up of every projection over 1,000,000 events generated straight into the
// events table, events/s as a ratio of the raw insert rate of those same rows.
//
// The events are real: a small pipeline (no projector) runs `kTemplateJobs` jobs, then their
// job streams are copied under new stream ids with one INSERT … SELECT per chunk (that insert's
// rate is the raw rate). Each repeat empties the read models and checkpoints and lets one
// `batchline project` catch up from the start of the log.

#include "bench/harness/bench_pipeline.hpp"
#include "bench/scenarios/scenarios.hpp"
#include "projections/projector.hpp"

namespace bl::bench {
namespace {

constexpr int kTemplateJobs = 1000;

std::int64_t scalar(pqxx::connection& conn, const std::string& sql) {
  pqxx::work tx(conn);
  return tx.exec1(sql)[0].as<std::int64_t>();
}

// Copies of the template job streams until the log holds at least `target` events; returns
// the events inserted per second.
double generate_events(pqxx::connection& conn, std::int64_t target) {
  const std::int64_t per_copy =
      scalar(conn, "SELECT count(*) FROM events WHERE stream_type = 'job'");
  const std::int64_t template_last =
      scalar(conn, "SELECT max(position) FROM events WHERE stream_type = 'job'");
  const std::int64_t copies = (target - per_copy + per_copy - 1) / per_copy;
  constexpr std::int64_t kCopiesPerCommit = 20;
  const auto start = std::chrono::steady_clock::now();
  std::int64_t inserted = 0;
  for (std::int64_t first = 1; first <= copies; first += kCopiesPerCommit) {
    pqxx::work tx(conn);
    inserted += tx.exec_params0(
                      "INSERT INTO events (stream_id, stream_type, version, event_type, data, "
                      "metadata) "
                      "SELECT md5(g::text || e.stream_id::text)::uuid, e.stream_type, e.version, "
                      "e.event_type, e.data, e.metadata "
                      "FROM generate_series($1::bigint, $2::bigint) g, "
                      "(SELECT * FROM events WHERE stream_type = 'job' AND position <= $3 "
                      " ORDER BY position) e ORDER BY g, e.position",
                      first, std::min(copies, first + kCopiesPerCommit - 1), template_last)
                    .affected_rows();
    tx.commit();
  }
  return static_cast<double>(inserted) / seconds_since(start);
}

// Every rebuildable projection's tables (the webhooks projection has none: no endpoints here).
std::vector<std::string> read_model_tables() {
  std::vector<std::string> tables;
  for (const auto& p : all_projections(Config{}))
    for (auto& t : p->tables())
      tables.push_back(std::move(t));
  return tables;
}

void reset_read_models(pqxx::connection& conn) {
  const auto tables = read_model_tables();
  pqxx::work tx(conn);
  std::string list;
  for (const auto& t : tables)
    list += (list.empty() ? "" : ", ") + tx.quote_name(t);
  tx.exec0("TRUNCATE " + list);  // one statement: tables may reference each other
  tx.exec0("DELETE FROM projection_checkpoints");
  tx.commit();
  pqxx::nontransaction vacuum(conn);
  for (const auto& t : tables)
    vacuum.exec0("VACUUM ANALYZE " + vacuum.quote_name(t));
}

}  // namespace

void run_projections(const BenchOptions& options, const Limits& limits, Report& report) {
  const std::int64_t target = options.size(1000000);
  auto& r = report.add("projections", "catch-up over " + std::to_string(target) + " events");
  BenchPipelineOptions o;
  o.projectors = 0;
  BenchPipeline bench(o);
  const HttpLoadResult load = bench.submit_jobs(kTemplateJobs);
  if (load.failed > 0 ||
      !bench.wait_for_events("JobSucceeded", kTemplateJobs, std::chrono::seconds(300))) {
    r.note("error", "template jobs did not finish");
    return;
  }
  auto conn = bench.connect();
  const double raw_rate = generate_events(*conn, target);
  const std::int64_t events = scalar(*conn, "SELECT count(*) FROM events");
  const std::int64_t last = scalar(*conn, "SELECT max(position) FROM events");
  const auto projections = static_cast<std::int64_t>(all_projections(Config{}).size());
  r.note("events", std::to_string(events));
  r.add("raw_insert_select_events_per_s", "events/s", raw_rate);
  // One catch-up of a million events takes minutes on two cores: once, unless --repeat says.
  const int repeats = options.repeat_given ? options.repeat : 1;
  for (int i = 0; i < repeats; ++i) {
    reset_read_models(*conn);
    test::Process& projector = bench.start_role("project");
    std::vector<RoleProcess> roles = {{"project", projector.pid()}};
    for (const auto& s : service_processes())
      roles.push_back(s);
    RoleUsage usage(roles);
    usage.start();
    const auto start = std::chrono::steady_clock::now();
    const bool caught_up = test::wait_until(
        [&] {
          return scalar(*conn,
                        "SELECT count(*) FROM projection_checkpoints WHERE last_position >= " +
                            std::to_string(last)) >= projections;
        },
        std::chrono::seconds(900), std::chrono::milliseconds(100));
    const double seconds = seconds_since(start);
    if (!caught_up) {
      r.note("error", "the projector did not catch up");
      return;
    }
    const double rate = static_cast<double>(events) / seconds;
    r.add("events_per_s", "events/s", rate, true);
    r.add("ratio_to_raw_insert", "x", rate / raw_rate, true);
    r.add("ratio_to_pg_copy", "x", rate / limits.pg_copy_rows_per_s);
    usage.finish(static_cast<double>(events), r);  // per 1,000 events here
    projector.stop();
  }
  r.note("cpu_unit", "CPU-s per 1,000 events (not jobs)");
}

}  // namespace bl::bench
