-- Idempotency-Key records (docs/architecture.md, "Idempotency"). One row per (tenant, key):
-- the fingerprint of the first request and, once answered, its response (sealed: a response
-- may quote what the client sent). A row without a status is a request still running.
CREATE TABLE idempotency_keys (
  scope        text        NOT NULL,            -- workspace, organization or key id
  key_hash     bytea       NOT NULL,            -- SHA-256 of the client's Idempotency-Key
  fingerprint  bytea       NOT NULL,            -- SHA-256 of method, path, query and body
  status       integer,                         -- NULL while the first request runs
  response     jsonb,                           -- sealed {"content_type", "body"}
  locked_at    timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (scope, key_hash)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
