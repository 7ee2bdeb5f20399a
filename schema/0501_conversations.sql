-- Read model of conversations, folded by the "conversations" projection from jobs that carry a
-- conversation_id (their prompt, then their result) and from conversation streams (title and
-- metadata changes, deletion). The only read model that holds content: each conversation's
-- content is sealed under a key of its own (conversation_keys), destroyed on deletion.
CREATE TABLE conversations (
  conversation_id  uuid PRIMARY KEY,
  org_id           text        NOT NULL,
  workspace_id     text        NOT NULL,
  title            jsonb,                  -- sealed under the conversation key
  metadata         jsonb,                  -- sealed under the conversation key
  message_count    integer     NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  deleted_at       timestamptz
);
CREATE INDEX conversations_workspace ON conversations (workspace_id, conversation_id);

-- One row per message: the messages of a job's request (system messages aside), then its
-- result. Ordered by the position of the job's JobSubmitted event, then part, then index.
CREATE TABLE conversation_messages (
  conversation_id  uuid        NOT NULL,
  job_position     bigint      NOT NULL,
  part             smallint    NOT NULL,   -- 0: request, 1: result
  idx              integer     NOT NULL,
  job_id           uuid        NOT NULL,
  role             text        NOT NULL,
  content          jsonb       NOT NULL,   -- the message JSON, sealed under the conversation key
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (conversation_id, job_position, part, idx)
);

-- Per-conversation data keys, wrapped (sealed) with the installation's data keys. Not part of
-- the rebuildable read model: a rebuild reuses them, and a deleted conversation's key is gone
-- for good, so copies of its messages (backups, WAL) cannot be opened.
CREATE TABLE conversation_keys (
  conversation_id  uuid PRIMARY KEY,
  wrapped_key      jsonb,                  -- NULL once destroyed
  destroyed_at     timestamptz
);

-- The earlier jobs of a conversation, straight from the log (context for use_history jobs).
CREATE INDEX events_conversation_jobs ON events ((data ->> 'conversation_id'), position)
  WHERE event_type = 'JobSubmitted' AND data ? 'conversation_id';
