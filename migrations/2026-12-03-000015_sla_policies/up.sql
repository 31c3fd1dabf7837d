-- SLA policies: response and resolution targets a business promises its customers. The first
-- enabled policy (by position) whose conditions all hold applies to a conversation; its due
-- times are kept on the conversation row, so the sweep finds what is due through one index
-- (`conversations_sla_check`) without scanning open conversations.
CREATE TABLE sla_policies (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    position integer NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    -- {"priorities": [...], "tag_ids": [...], "team_ids": [...], "number_ids": [...]}; an empty
    -- or missing list does not restrict. Ids may go stale; the app checks them on write.
    conditions jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(conditions) = 'object'),
    first_response_minutes integer CHECK (first_response_minutes BETWEEN 1 AND 525600),
    next_response_minutes integer CHECK (next_response_minutes BETWEEN 1 AND 525600),
    resolution_minutes integer CHECK (resolution_minutes BETWEEN 1 AND 525600),
    business_hours boolean NOT NULL DEFAULT false,
    pause_when_pending boolean NOT NULL DEFAULT true,
    pause_when_snoozed boolean NOT NULL DEFAULT true,
    warn_percent integer NOT NULL DEFAULT 80 CHECK (warn_percent BETWEEN 1 AND 99),
    -- {"raise_priority": "urgent", "team_id": "...", "notify_membership_id": "..."}
    escalation jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(escalation) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (first_response_minutes IS NOT NULL OR next_response_minutes IS NOT NULL
           OR resolution_minutes IS NOT NULL)
);
CREATE INDEX sla_policies_order ON sla_policies (tenant_id, position);

ALTER TABLE sla_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE sla_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sla_policies
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Per conversation: the policy in force, when its clock started (opening, or a reopening), the
-- first agent reply, the time spent paused, the active due times, and the state shown to people.
ALTER TABLE conversations
    ADD COLUMN first_reply_at timestamptz,
    ADD COLUMN sla_policy_id uuid,
    ADD COLUMN sla_started_at timestamptz,
    ADD COLUMN sla_paused_at timestamptz,
    ADD COLUMN sla_paused_secs bigint NOT NULL DEFAULT 0,
    ADD COLUMN sla_first_due_at timestamptz,
    ADD COLUMN sla_next_due_at timestamptz,
    ADD COLUMN sla_resolve_due_at timestamptz,
    ADD COLUMN sla_status text NOT NULL DEFAULT 'none'
        CHECK (sla_status IN ('none', 'on_track', 'at_risk', 'breached', 'met')),
    ADD COLUMN sla_breaches text[] NOT NULL DEFAULT '{}',
    ADD COLUMN sla_warned boolean NOT NULL DEFAULT false,
    -- The next instant the sweep must look at this conversation (a warning or a due time).
    ADD COLUMN sla_check_at timestamptz;

-- Conversations answered before this migration count as answered.
UPDATE conversations SET first_reply_at = updated_at
 WHERE waiting_since IS NULL AND first_reply_at IS NULL;

CREATE INDEX conversations_sla_check ON conversations (sla_check_at)
    WHERE sla_check_at IS NOT NULL;
CREATE INDEX conversations_sla_status ON conversations (tenant_id, sla_status, last_message_at DESC)
    WHERE sla_status IN ('at_risk', 'breached');

-- SLA warnings and breaches reach people as notifications too.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('mention', 'assigned', 'handover', 'sla_warning', 'sla_breach'));
