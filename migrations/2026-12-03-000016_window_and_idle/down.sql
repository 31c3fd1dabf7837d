DELETE FROM notifications WHERE kind = 'window_closing';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('mention', 'assigned', 'handover', 'sla_warning', 'sla_breach'));
DROP INDEX IF EXISTS conversations_answered_idle;
DROP INDEX IF EXISTS conversations_window_waiting;
ALTER TABLE conversations DROP COLUMN window_warned_for;
DROP TABLE workflow_settings;
