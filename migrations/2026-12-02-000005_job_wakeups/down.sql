DROP TRIGGER jobs_wakeup ON jobs;
DROP FUNCTION jobs_inserted;
