#include "workers/optimizer/optimization_store.hpp"

namespace bl {

Result<OptimizationSnapshot> read_optimization(pqxx::transaction_base& tx, const Uuid& run,
                                               const DataKeyring* ring, JobOutputs outputs) {
  auto folded = fold_optimization(read_stream(tx, run), ring);
  if (!folded.ok()) return folded.error();
  OptimizationSnapshot snap;
  snap.run = std::move(*folded);
  auto outcomes = load_job_outcomes(tx, nullptr, snap.run.jobs);
  if (!outcomes.ok()) return outcomes.error();
  snap.outcomes = std::move(*outcomes);
  snap.spend = total_usage(snap.outcomes, snap.run.jobs);
  if (ring != nullptr && outputs == JobOutputs::kCurrentPhase) {
    std::vector<Uuid> phase;
    for (const auto* jobs : {&snap.run.evals, &snap.run.judges, &snap.run.proposals}) {
      for (const auto& j : *jobs)
        phase.push_back(j.job);
    }
    auto opened = load_job_outcomes(tx, ring, phase);
    if (!opened.ok()) return opened.error();
    for (auto& [id, outcome] : *opened)
      snap.outcomes[id] = std::move(outcome);
  }
  return snap;
}

std::optional<std::string> optimization_workspace(pqxx::transaction_base& tx, const Uuid& run) {
  const auto rows = tx.exec_params(
      "SELECT workspace_id FROM optimizations WHERE optimization_id = $1::uuid", run.to_string());
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

Status append_to_run(pqxx::transaction_base& tx, const OptimizationRun& run, int expected_version,
                     std::vector<NewEvent> events, std::vector<StreamAppend> extra,
                     std::string_view new_status) {
  const std::string owner = encode_metadata(run.owner);
  for (auto& e : events)
    if (e.metadata.empty()) e.metadata = owner;
  std::vector<StreamAppend> appends;
  appends.push_back(StreamAppend{run.id, std::string(kOptimizationStreamType), expected_version,
                                 std::move(events)});
  for (auto& a : extra)
    appends.push_back(std::move(a));
  if (auto s = append_events(tx, appends); !s.ok()) return s;
  if (expected_version == 0) {
    tx.exec_params(
        "INSERT INTO optimizations (optimization_id, org_id, workspace_id, status) "
        "VALUES ($1::uuid, $2, $3, $4)",
        run.id.to_string(), run.owner.org_id, run.owner.workspace_id,
        new_status.empty() ? std::string("running") : std::string(new_status));
  } else if (!new_status.empty()) {
    tx.exec_params(
        "UPDATE optimizations SET status = $2, updated_at = now() WHERE optimization_id = $1::uuid",
        run.id.to_string(), std::string(new_status));
  }
  return {};
}

}  // namespace bl
