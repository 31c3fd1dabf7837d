-- The job queue no longer NOTIFYs from a trigger. A NOTIFY takes PostgreSQL's cluster-wide
-- notify lock from pre-commit until the commit record is flushed, and every transaction that
-- enqueued a job (each agent reply, each webhook batch) took it: at 300 sends/s about thirty
-- backends at a time waited on that lock at COMMIT, and POST .../messages answered in seconds.
--
-- Wake-ups now come from the process that enqueued: it wakes its own runner directly, and one
-- background task per process announces "jobs are ready" on `chorus_jobs` at most every 50 ms,
-- from its own autocommit statement after the enqueuing transaction committed (worker
-- wakeups::announce). Polling stays as the fallback.
DROP TRIGGER jobs_wakeup ON jobs;
DROP FUNCTION jobs_inserted();
