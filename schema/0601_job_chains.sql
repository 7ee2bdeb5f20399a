-- Job chains (workers/optimizer/job_chain.hpp): the chain itself is its "job_chain" event
-- stream; this row is its index (owner, the working job, and which chains the optimization
-- manager must look at), written with each chain event that changes status.
CREATE TABLE job_chains (
  chain_id     uuid PRIMARY KEY,
  job_id       uuid        NOT NULL,
  org_id       text        NOT NULL,
  workspace_id text        NOT NULL,
  status       text        NOT NULL,  -- running | completed | failed
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_chains_active ON job_chains (chain_id) WHERE status = 'running';
CREATE INDEX job_chains_job ON job_chains (job_id);
