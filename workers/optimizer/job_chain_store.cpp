#include "workers/optimizer/job_chain_store.hpp"

#include "workers/optimizer/prompt_store.hpp"

namespace bl {

Result<JobChainSnapshot> read_job_chain(pqxx::transaction_base& tx, const Uuid& chain,
                                        const DataKeyring* ring) {
  auto folded = fold_job_chain(read_stream(tx, chain), ring);
  if (!folded.ok()) return folded.error();
  JobChainSnapshot snap;
  snap.chain = std::move(*folded);
  auto outcomes = load_job_outcomes(tx, ring, snap.chain.jobs());
  if (!outcomes.ok()) return outcomes.error();
  snap.outcomes = std::move(*outcomes);
  return snap;
}

std::optional<std::string> job_chain_workspace(pqxx::transaction_base& tx, const Uuid& chain) {
  const auto rows = tx.exec_params("SELECT workspace_id FROM job_chains WHERE chain_id = $1::uuid",
                                   chain.to_string());
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

Status create_job_chain(pqxx::transaction_base& tx, const Uuid& chain, const Uuid& working_job,
                        const EventMetadata& owner, std::string started_data,
                        JobSubmissions working, std::vector<StreamAppend> extra) {
  std::vector<StreamAppend> appends = std::move(working.appends);
  appends.push_back(StreamAppend{
      chain,
      std::string(kJobChainStreamType),
      0,
      {NewEvent{std::string(kJobChainStarted), std::move(started_data), encode_metadata(owner)}}});
  for (auto& a : extra)
    appends.push_back(std::move(a));
  if (auto s = append_events(tx, appends); !s.ok()) return s;
  insert_outbox_rows(tx, working.deliveries);
  tx.exec_params(
      "INSERT INTO job_chains (chain_id, job_id, org_id, workspace_id, status) "
      "VALUES ($1::uuid, $2::uuid, $3, $4, 'running')",
      chain.to_string(), working_job.to_string(), owner.org_id, owner.workspace_id);
  return {};
}

Status write_job_chain_step(pqxx::transaction_base& tx, const DataKeyring& ring,
                            const JobChain& chain, ChainStep step) {
  // The draft's place is chosen before the first write (append_events must come first).
  std::optional<int> next;
  if (chain.spec.prompt_id)
    next = next_prompt_version(tx, *chain.spec.prompt_id, chain.owner.workspace_id);
  const Uuid prompt = next ? *chain.spec.prompt_id : Uuid::generate_v7();
  if (step.proposed_prompt) {
    step.events.push_back(chain_finished_event(prompt, next.value_or(1)));
    step.new_status = "completed";
  }
  const std::string owner = encode_metadata(chain.owner);
  for (auto& e : step.events)
    if (e.metadata.empty()) e.metadata = owner;
  std::vector<StreamAppend> appends = std::move(step.jobs.appends);
  appends.push_back(StreamAppend{chain.id, std::string(kJobChainStreamType), chain.version,
                                 std::move(step.events)});
  if (auto s = append_events(tx, appends); !s.ok()) return s;
  insert_outbox_rows(tx, step.jobs.deliveries);
  if (step.proposed_prompt) {
    PromptVersion v;
    v.version = next.value_or(1);
    v.state = "draft";
    v.content = *step.proposed_prompt;
    v.source_type = "job";
    v.source_id = to_api_id(id_prefix::kJob, chain.working_job);
    if (next) {
      if (auto s = insert_prompt_version(tx, ring, prompt, v); !s.ok()) return s;
    } else {
      auto made = create_prompt(tx, ring, prompt, chain.owner.org_id, chain.owner.workspace_id,
                                "proposed by " + to_api_id(id_prefix::kJob, chain.working_job), v);
      if (!made.ok()) return made.error();
    }
  }
  if (!step.new_status.empty()) {
    tx.exec_params(
        "UPDATE job_chains SET status = $2, updated_at = now() WHERE chain_id = $1::uuid",
        chain.id.to_string(), step.new_status);
  }
  return {};
}

}  // namespace bl
