-- Outbox rows of each kind have their own deliverer: 'job' rows go to Redis streams (relay),
-- 'webhook' rows to HTTP endpoints (webhook sender). Every claim and every "earliest due"
-- query filters by kind, so the due index leads with it.
DROP INDEX IF EXISTS outbox_due;
CREATE INDEX outbox_kind_due ON outbox (kind, due_at, id);

-- The sweeper walks queued jobs by the time of their last event (see outbox/sweeper.hpp).
CREATE INDEX jobs_queued_since ON jobs (updated_at, job_id) WHERE status = 'queued';
