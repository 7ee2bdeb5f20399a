-- The event log: the source of truth. See docs/architecture.md, "Event log".
CREATE TABLE events (
  position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Readers follow (tx_id, position) below pg_snapshot_xmin, so a late commit is never skipped.
  tx_id        xid8        NOT NULL DEFAULT pg_current_xact_id(),
  stream_id    uuid        NOT NULL,
  stream_type  text        NOT NULL,
  version      integer     NOT NULL CHECK (version > 0),
  event_type   text        NOT NULL,
  data         jsonb       NOT NULL,
  metadata     jsonb       NOT NULL DEFAULT '{}',
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_version UNIQUE (stream_id, version)
);
CREATE INDEX events_feed ON events (tx_id, position);

-- Deliveries to make. Written in the transaction that causes them, deleted once delivered.
CREATE TABLE outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        text        NOT NULL,            -- 'job'
  queue       text        NOT NULL,            -- model id for jobs
  stream_id   uuid        NOT NULL,
  attempt     integer     NOT NULL DEFAULT 1,
  priority    integer     NOT NULL DEFAULT 500,
  due_at      timestamptz NOT NULL DEFAULT now(),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due ON outbox (due_at, id);
CREATE INDEX outbox_stream ON outbox (stream_id);
-- Rows live for milliseconds: vacuum often so the table and its indexes stay small.
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
                        autovacuum_vacuum_insert_threshold = 1000);

-- One row per projection: the (tx_id, position) of the last event applied, moved in the same
-- transaction as the read-model rows.
CREATE TABLE projection_checkpoints (
  name          text PRIMARY KEY,
  last_tx_id    xid8        NOT NULL DEFAULT '0',
  last_position bigint      NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
