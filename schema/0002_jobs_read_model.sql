-- Read model of jobs, folded from job streams by the "jobs" projection.
CREATE TABLE jobs (
  job_id         uuid PRIMARY KEY,
  org_id         text        NOT NULL,
  workspace_id   text        NOT NULL,
  batch_id       uuid,
  custom_id      text,
  model          text        NOT NULL,
  priority       integer     NOT NULL,
  status         text        NOT NULL,
  attempts       integer     NOT NULL DEFAULT 0,
  version        integer     NOT NULL,   -- last stream version applied (idempotency guard)
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  started_at     timestamptz,
  finished_at    timestamptz,
  input_tokens   integer,
  output_tokens  integer,
  cached_tokens  integer,
  latency_ms     integer,
  finish_reason  text,
  result         jsonb,                  -- sealed completion and clear figures
  error          jsonb                   -- code and status in clear, message sealed
);
CREATE INDEX jobs_workspace ON jobs (workspace_id, job_id);
CREATE INDEX jobs_workspace_status ON jobs (workspace_id, status, job_id);
CREATE INDEX jobs_batch ON jobs (batch_id, status) WHERE batch_id IS NOT NULL;
