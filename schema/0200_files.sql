-- Files uploaded through the OpenAI-compatible Files API and the output files that batches
-- write. Content is never stored in clear: it is cut into chunks of at most 1 MiB, each sealed
-- with AES-256-GCM under the active data key, bound to (file id, chunk number). The filename
-- is user content too and is sealed the same way. See docs/architecture.md, "Files".
CREATE TABLE files (
  file_id       uuid PRIMARY KEY,
  org_id        text        NOT NULL,
  workspace_id  text        NOT NULL,
  purpose       text        NOT NULL,              -- batch | batch_output
  filename      jsonb       NOT NULL,              -- sealed box {"k","n","c"}
  bytes         bigint      NOT NULL,
  chunks        integer     NOT NULL,
  batch_id      uuid,                              -- the batch that wrote a batch_output file
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  deleted_at    timestamptz
);
CREATE INDEX files_workspace ON files (workspace_id, file_id) WHERE deleted_at IS NULL;
CREATE INDEX files_expiring ON files (expires_at) WHERE deleted_at IS NULL;

CREATE TABLE file_chunks (
  file_id     uuid    NOT NULL REFERENCES files (file_id) ON DELETE CASCADE,
  seq         integer NOT NULL,
  key_id      text    NOT NULL,
  nonce       bytea   NOT NULL,
  ciphertext  bytea   NOT NULL,                    -- ciphertext followed by the GCM tag
  PRIMARY KEY (file_id, seq)
);
