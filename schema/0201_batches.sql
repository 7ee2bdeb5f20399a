-- Read model of batches, folded by the "batches" projection from batch streams (status,
-- timestamps, files) and from the job streams of each batch (counts, usage).
CREATE TABLE batches (
  batch_id          uuid PRIMARY KEY,
  org_id            text        NOT NULL,
  workspace_id      text        NOT NULL,
  api               text        NOT NULL,          -- openai | anthropic
  status            text        NOT NULL,
  version           integer     NOT NULL,          -- last batch-stream version applied
  endpoint          text        NOT NULL,
  completion_window text        NOT NULL,
  model             text,
  input_file_id     uuid,
  metadata          jsonb,                         -- sealed box, bound to the batch id
  errors            jsonb,                         -- validation errors (no user content)
  output_file_id    uuid,
  error_file_id     uuid,
  total             integer     NOT NULL DEFAULT 0,
  pending           integer     NOT NULL DEFAULT 0,
  succeeded         integer     NOT NULL DEFAULT 0,
  failed            integer     NOT NULL DEFAULT 0,
  cancelled         integer     NOT NULL DEFAULT 0,
  expired           integer     NOT NULL DEFAULT 0,
  retries           integer     NOT NULL DEFAULT 0,
  input_tokens      bigint      NOT NULL DEFAULT 0,
  output_tokens     bigint      NOT NULL DEFAULT 0,
  cached_tokens     bigint      NOT NULL DEFAULT 0,
  cost_nano_usd     bigint      NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL,
  in_progress_at    timestamptz,
  finalizing_at     timestamptz,                   -- when the last job became terminal
  completed_at      timestamptz,
  failed_at         timestamptz,
  expired_at        timestamptz,
  cancelling_at     timestamptz,
  cancelled_at      timestamptz,
  expires_at        timestamptz NOT NULL,
  first_result_at   timestamptz,
  last_result_at    timestamptz,
  deleted_at        timestamptz
);
CREATE INDEX batches_workspace ON batches (workspace_id, api, batch_id);
CREATE INDEX batches_open ON batches (status) WHERE status IN ('in_progress', 'cancelling');

-- Creates answered recently, by a hash of their body: an SDK that retries a create (it sends
-- no idempotency key) gets the batch already created. Written in the create's transaction.
CREATE TABLE batch_creates (
  workspace_id  text        NOT NULL,
  body_sha256   bytea       NOT NULL,
  batch_id      uuid        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, body_sha256)
);

-- The jobs of a batch, found from the log itself (finalization does not trust a read model).
CREATE INDEX events_batch_jobs ON events ((data ->> 'batch_id'))
  WHERE event_type = 'JobSubmitted' AND data ? 'batch_id';
