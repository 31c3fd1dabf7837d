DELETE FROM notifications WHERE kind IN ('sla_warning', 'sla_breach');
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('mention', 'assigned', 'handover'));
DROP INDEX IF EXISTS conversations_sla_status;
DROP INDEX IF EXISTS conversations_sla_check;
ALTER TABLE conversations
    DROP COLUMN sla_check_at,
    DROP COLUMN sla_warned,
    DROP COLUMN sla_breaches,
    DROP COLUMN sla_status,
    DROP COLUMN sla_resolve_due_at,
    DROP COLUMN sla_next_due_at,
    DROP COLUMN sla_first_due_at,
    DROP COLUMN sla_paused_secs,
    DROP COLUMN sla_paused_at,
    DROP COLUMN sla_started_at,
    DROP COLUMN sla_policy_id,
    DROP COLUMN first_reply_at;
DROP TABLE sla_policies;
