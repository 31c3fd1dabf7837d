CREATE FUNCTION jobs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows WHERE run_at <= clock_timestamp() + interval '1 second') THEN
        PERFORM pg_notify('chorus_jobs', '');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER jobs_wakeup AFTER INSERT ON jobs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION jobs_inserted();
