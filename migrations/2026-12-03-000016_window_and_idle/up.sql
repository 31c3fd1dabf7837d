-- Time-driven conversation work a business configures: warn the assignee before the 24-hour
-- window closes on a customer still waiting for us, and resolve conversations the customer went
-- silent on (after our reply) with an optional closing message. No row: the defaults (a warning
-- 60 minutes before, no auto-resolve).
CREATE TABLE workflow_settings (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    -- NULL: no warning.
    window_warning_minutes integer DEFAULT 60 CHECK (window_warning_minutes BETWEEN 5 AND 720),
    -- NULL: never auto-resolve.
    auto_resolve_after_hours integer CHECK (auto_resolve_after_hours BETWEEN 1 AND 720),
    auto_resolve_message text CHECK (char_length(auto_resolve_message) BETWEEN 1 AND 1024),
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE workflow_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON workflow_settings
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The window end the assignee was last warned about: a customer message that extends the window
-- makes the next warning due again.
ALTER TABLE conversations ADD COLUMN window_warned_for timestamptz;

-- The sweeps read index ranges, never every open conversation.
CREATE INDEX conversations_window_waiting ON conversations (window_expires_at)
    WHERE status <> 'resolved' AND waiting_since IS NOT NULL;
CREATE INDEX conversations_answered_idle ON conversations (tenant_id, last_message_at)
    WHERE status IN ('open', 'pending') AND waiting_since IS NULL;

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('mention', 'assigned', 'handover', 'sla_warning', 'sla_breach', 'window_closing'));
