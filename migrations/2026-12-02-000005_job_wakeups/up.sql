-- Wake-ups for worker processes: every statement that inserts a job ready to run now NOTIFYs
-- `chorus_jobs` (no payload; delivered only when the inserting transaction commits). Each worker
-- LISTENs on it and claims at once instead of waiting for its next poll; polling stays as the
-- fallback for notifications missed while a listener reconnects.
--
-- NOTIFY's cost is the queue lock taken at commit, once per transaction however many channels it
-- notifies. The hot transactions that enqueue (an agent's reply, webhook ingest) already NOTIFY
-- `chorus_realtime` through the message triggers, so this adds a queue entry, not a new lock.
-- One notification per statement, not per row; none for jobs scheduled later (backoff retries
-- are updates, not inserts, and wake nobody). `run_at` is stamped by the enqueuing process, after
-- this transaction's `now()`, hence the wall clock and a second of slack for clock skew.

CREATE FUNCTION jobs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows WHERE run_at <= clock_timestamp() + interval '1 second') THEN
        PERFORM pg_notify('chorus_jobs', '');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER jobs_wakeup AFTER INSERT ON jobs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobs_inserted();

-- A queue table churns: every job is inserted, updated when claimed and deleted when done. Vacuum
-- and analyse it by row count, not by a fraction of its size, so dead rows do not pile up in front
-- of the claim's index scan and the planner knows when a backlog has built up.
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                      autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000);
