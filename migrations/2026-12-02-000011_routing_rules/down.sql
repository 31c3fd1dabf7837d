DROP TRIGGER conversations_assigned_at ON conversations;
DROP FUNCTION conversations_assigned_at();
ALTER TABLE conversations DROP COLUMN assigned_at;
ALTER TABLE teams DROP COLUMN reassign_after_minutes;
DROP TABLE routing_rules;
