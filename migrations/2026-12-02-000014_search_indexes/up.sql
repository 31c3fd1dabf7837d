-- Search that uses its indexes under Row-Level Security (see tenants/src/db/bootstrap.rs: the
-- functions involved are marked LEAKPROOF when migrations run as a superuser).
--
-- Messages: the full-text index without coalesce(), which the planner treats as leaky; a NULL
-- body gives a NULL vector, which matches nothing, as before.
DROP INDEX messages_search;
CREATE INDEX messages_search ON messages USING gin (
    (to_tsvector('english', body) || to_tsvector('spanish', body)));

-- Contacts by any part of a name or phone number ("garc", "4455"): trigram indexes. `pg_trgm` is
-- created by the same superuser step; where it is missing these indexes are skipped and contact
-- search still works, by scanning (docs/operations.md).
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX contacts_name_trgm ON contacts USING gin (profile_name gin_trgm_ops);
        CREATE INDEX contacts_agent_name_trgm ON contacts USING gin (name gin_trgm_ops);
        CREATE INDEX contacts_email_trgm ON contacts USING gin (email gin_trgm_ops);
        CREATE INDEX contacts_wa_id_trgm ON contacts USING gin (wa_id gin_trgm_ops);
    END IF;
END $$;
