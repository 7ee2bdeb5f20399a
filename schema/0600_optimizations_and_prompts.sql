-- Optimization runs (workers/optimizer/). The run itself is its "optimization" event stream;
-- this row is its index: who owns it, for listing, and which runs the optimization manager
-- must look at. It is written in the same transaction as each run event that changes status.
CREATE TABLE optimizations (
  optimization_id uuid PRIMARY KEY,
  org_id          text        NOT NULL,
  workspace_id    text        NOT NULL,
  status          text        NOT NULL,  -- running | paused | cancelling | completed | cancelled
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX optimizations_workspace ON optimizations (workspace_id, optimization_id DESC);
CREATE INDEX optimizations_active ON optimizations (optimization_id)
  WHERE status IN ('running', 'cancelling');

-- The prompt library (ingest/prompts_api.cpp). Configuration that users edit, like tenancy:
-- tables, with a CommandAudited event in each write's transaction. Names and content are
-- sealed boxes bound to the prompt id.
CREATE TABLE prompts (
  prompt_id    uuid PRIMARY KEY,
  org_id       text        NOT NULL,
  workspace_id text        NOT NULL,
  name         jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX prompts_workspace ON prompts (workspace_id, prompt_id DESC);

CREATE TABLE prompt_versions (
  prompt_id   uuid        NOT NULL REFERENCES prompts,
  version     integer     NOT NULL,
  state       text        NOT NULL CHECK (state IN ('draft', 'published', 'archived')),
  content     jsonb       NOT NULL,
  source_type text,        -- optimization | job: where a proposed version came from
  source_id   text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (prompt_id, version)
);
