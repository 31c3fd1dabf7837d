DROP INDEX conversations_team_queue;
ALTER TABLE whatsapp_numbers DROP CONSTRAINT whatsapp_numbers_default_team, DROP COLUMN default_team_id;
ALTER TABLE team_members DROP COLUMN last_assigned_at;
ALTER TABLE memberships DROP COLUMN max_open;
ALTER TABLE teams DROP COLUMN assignment;
