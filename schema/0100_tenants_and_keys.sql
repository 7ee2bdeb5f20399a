-- Tenancy: organizations own workspaces; workspaces own API keys, files, batches and jobs.
-- These tables are configuration read on every request (through each ingest node's key
-- cache), not event streams; every change is audited with a CommandAudited event in the same
-- transaction. Names are user content: sealed with the data key, bound to the row's id.
CREATE TABLE organizations (
  org_id      text PRIMARY KEY,                 -- org_<32 hex>
  name        jsonb       NOT NULL,             -- sealed box
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workspaces (
  workspace_id text PRIMARY KEY,                -- ws_<32 hex>
  org_id       text        NOT NULL REFERENCES organizations,
  name         jsonb       NOT NULL,            -- sealed box
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workspaces_org ON workspaces (org_id, workspace_id);

-- A key is stored only as HMAC-SHA256(pepper, key). client keys belong to a workspace, admin
-- keys to an organization, operator keys to the installation.
CREATE TABLE api_keys (
  key_id       text PRIMARY KEY,                -- key_<32 hex>
  key_hash     bytea       NOT NULL UNIQUE,
  scope        text        NOT NULL CHECK (scope IN ('client', 'admin', 'operator')),
  org_id       text        REFERENCES organizations,
  workspace_id text        REFERENCES workspaces,
  name         jsonb,                           -- sealed box, optional
  rate_limit_rpm integer   CHECK (rate_limit_rpm IS NULL OR rate_limit_rpm > 0),
  created_by   text        NOT NULL,            -- key id of the creator, or "cli"
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz,
  -- The transaction that last changed what authentication depends on. Key caches reload rows
  -- whose tx_id is at or above the snapshot xmin of their previous load: nothing is missed,
  -- whatever order transactions commit in.
  tx_id        xid8        NOT NULL DEFAULT pg_current_xact_id(),
  CHECK ((scope = 'client' AND org_id IS NOT NULL AND workspace_id IS NOT NULL) OR
         (scope = 'admin' AND org_id IS NOT NULL AND workspace_id IS NULL) OR
         (scope = 'operator' AND org_id IS NULL AND workspace_id IS NULL))
);
CREATE INDEX api_keys_changes ON api_keys (tx_id);
CREATE INDEX api_keys_org ON api_keys (org_id, key_id);

CREATE FUNCTION api_keys_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.tx_id := pg_current_xact_id();
  RETURN NEW;
END $$;
-- last_used_at is not in the list: recording use does not make every cache reload the key.
CREATE TRIGGER api_keys_touch BEFORE UPDATE OF key_hash, scope, org_id, workspace_id,
  rate_limit_rpm, expires_at, revoked_at ON api_keys
  FOR EACH ROW EXECUTE FUNCTION api_keys_touch();
