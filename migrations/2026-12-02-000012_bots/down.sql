DELETE FROM notifications WHERE kind = 'handover';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('mention', 'assigned'));
DROP TABLE bot_sessions, bots, kb_entries;
