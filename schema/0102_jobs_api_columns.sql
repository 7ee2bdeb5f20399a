-- Columns of the jobs read model for the native jobs API.
ALTER TABLE jobs
  ADD COLUMN conversation_id  uuid,
  ADD COLUMN client_reference jsonb,            -- sealed box, opened only for the job's owner
  ADD COLUMN acknowledged_at  timestamptz;      -- JobConsumed / JobConsumeFailed
CREATE INDEX jobs_workspace_batch ON jobs (workspace_id, batch_id, job_id) WHERE batch_id IS NOT NULL;
