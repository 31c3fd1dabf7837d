-- The retention job (`tenants::retention`) deletes old rows in small batches, oldest first; these
-- indexes let each batch find them without scanning the table.
CREATE INDEX webhook_events_received ON webhook_events (received_at);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
CREATE INDEX email_tokens_expires ON email_tokens (expires_at);
