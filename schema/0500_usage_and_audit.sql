-- Read model of usage, folded by the "usage" projection from job results: one record per
-- inference (a job's result counted once, however often it is offered), and daily sums.
CREATE TABLE usage_records (
  job_id         uuid PRIMARY KEY,
  org_id         text        NOT NULL,
  workspace_id   text        NOT NULL,
  key_id         text        NOT NULL,
  model          text        NOT NULL,
  batch_id       uuid,
  input_tokens   bigint      NOT NULL,
  output_tokens  bigint      NOT NULL,
  cached_tokens  bigint      NOT NULL,
  cost_nano_usd  bigint      NOT NULL,
  latency_ms     bigint      NOT NULL,
  ttft_ms        bigint,                 -- streaming calls only
  mean_itl_ms    double precision,       -- streaming calls only
  finish_reason  text        NOT NULL,
  finished_at    timestamptz NOT NULL
);
CREATE INDEX usage_records_org ON usage_records (org_id, finished_at);

CREATE TABLE usage_daily (
  org_id         text   NOT NULL,
  day            date   NOT NULL,          -- UTC
  workspace_id   text   NOT NULL,
  key_id         text   NOT NULL,
  model          text   NOT NULL,
  requests       bigint NOT NULL,
  input_tokens   bigint NOT NULL,
  output_tokens  bigint NOT NULL,
  cached_tokens  bigint NOT NULL,
  cost_nano_usd  bigint NOT NULL,
  PRIMARY KEY (org_id, day, workspace_id, key_id, model)
);
CREATE INDEX usage_daily_workspace ON usage_daily (workspace_id, day);

-- Read model of the audit trail, folded by the "audit" projection from CommandAudited events.
-- Never content: who, what, which ids, the outcome.
CREATE TABLE audit_records (
  audit_id      uuid PRIMARY KEY,          -- the event's stream id (UUIDv7: time ordered)
  time          timestamptz NOT NULL,
  org_id        text        NOT NULL,
  workspace_id  text        NOT NULL,
  actor_key_id  text        NOT NULL,
  action        text        NOT NULL,
  target_type   text        NOT NULL,
  target_id     text,
  request_id    text        NOT NULL,
  outcome       text        NOT NULL,      -- succeeded | rejected
  status        integer     NOT NULL,
  error_code    text,
  count         integer     NOT NULL
);
CREATE INDEX audit_records_org ON audit_records (org_id, audit_id);

-- Monthly limits per organization, set by admins; every change is kept in quota_changes.
CREATE TABLE org_quotas (
  org_id                   text PRIMARY KEY,
  monthly_token_limit      bigint,         -- input + output tokens; NULL: no limit
  monthly_cost_limit_nano  bigint,         -- nano-USD; NULL: no limit
  updated_at               timestamptz NOT NULL DEFAULT now(),
  updated_by               text        NOT NULL
);
CREATE TABLE quota_changes (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id              text        NOT NULL,
  changed_at          timestamptz NOT NULL DEFAULT now(),
  changed_by          text        NOT NULL,   -- key id
  request_id          text        NOT NULL,
  old_token_limit     bigint,
  old_cost_limit_nano bigint,
  new_token_limit     bigint,
  new_cost_limit_nano bigint
);
CREATE INDEX quota_changes_org ON quota_changes (org_id, id);
