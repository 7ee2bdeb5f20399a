-- Read models of the "webhooks" projection (projections/webhooks_projection.cpp).

-- Endpoints a workspace registered. url and secret are sealed boxes, opened only by ingest
-- (to show the URL to its owner) and by the webhook sender.
CREATE TABLE webhook_endpoints (
  endpoint_id   uuid PRIMARY KEY,
  org_id        text        NOT NULL,
  workspace_id  text        NOT NULL,
  url           jsonb       NOT NULL,
  secret        jsonb       NOT NULL,
  event_types   text[]      NOT NULL,
  status        text        NOT NULL,      -- enabled | deleted
  version       integer     NOT NULL,      -- last stream version applied
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_workspace ON webhook_endpoints (workspace_id, endpoint_id)
  WHERE status = 'enabled';

-- One row per notification per endpoint. Created with its outbox row (kind 'webhook') in the
-- projection's transaction; the unique key makes a replayed or rebuilt page create nothing
-- twice. Attempts (webhook_delivery streams) are folded into the last_* columns.
CREATE TABLE webhook_deliveries (
  delivery_id       uuid PRIMARY KEY,       -- also the webhook-id, "evt_<hex>"
  endpoint_id       uuid        NOT NULL,
  org_id            text        NOT NULL,
  workspace_id      text        NOT NULL,
  event_type        text        NOT NULL,   -- job.succeeded, batch.completed, ...
  subject_id        uuid        NOT NULL,   -- the job or batch stream that caused it
  subject_version   integer     NOT NULL,
  body              text        NOT NULL,   -- the exact JSON sent; ids only
  occurred_at       timestamptz NOT NULL,   -- when the subject's event was recorded
  status            text        NOT NULL DEFAULT 'pending',  -- pending | delivered | failed | abandoned
  attempts          integer     NOT NULL DEFAULT 0,
  last_http_status  integer,
  last_error        text,
  last_attempt_at   timestamptz,
  next_attempt_at   timestamptz,
  CONSTRAINT webhook_deliveries_once UNIQUE (endpoint_id, subject_id, subject_version)
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, delivery_id);
-- Finished deliveries are pruned after a retention period (outbox/sweeper.cpp).
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (occurred_at)
  WHERE status <> 'pending';
