ALTER TABLE jobs RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
                        autovacuum_analyze_scale_factor, autovacuum_analyze_threshold);
DROP TRIGGER jobs_wakeup ON jobs;
DROP FUNCTION jobs_inserted;
