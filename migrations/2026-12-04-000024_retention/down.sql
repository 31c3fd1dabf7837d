DROP INDEX email_tokens_expires;
DROP INDEX refresh_tokens_expires;
DROP INDEX webhook_events_received;
