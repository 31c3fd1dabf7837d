DROP INDEX IF EXISTS contacts_wa_id_trgm;
DROP INDEX IF EXISTS contacts_name_trgm;
DROP INDEX IF EXISTS contacts_agent_name_trgm;
DROP INDEX IF EXISTS contacts_email_trgm;
DROP INDEX messages_search;
CREATE INDEX messages_search ON messages USING gin (
    (to_tsvector('english', coalesce(body, '')) || to_tsvector('spanish', coalesce(body, ''))));
