-- CSAT: after a conversation is resolved, the customer is asked to rate the help 1 to 5 (a list
-- inside the 24-hour window, the configured utility template outside it; never to opted-out or
-- blocked customers). The answer and an optional comment are kept on the survey, and the score
-- reaches the KPI roll-ups (`tenants::csat`).
ALTER TABLE workflow_settings
    ADD COLUMN csat_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN csat_question text CHECK (char_length(csat_question) BETWEEN 1 AND 1024),
    ADD COLUMN csat_template_id uuid;

CREATE TABLE csat_surveys (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    number_id uuid NOT NULL,
    -- Who held the conversation when it was resolved (the score is theirs).
    agent_id uuid,
    team_id uuid,
    -- The request sent (list or template).
    message_id uuid,
    channel text NOT NULL CHECK (channel IN ('list', 'template')),
    sent_at timestamptz NOT NULL DEFAULT now(),
    score smallint CHECK (score BETWEEN 1 AND 5),
    answered_at timestamptz,
    comment text CHECK (char_length(comment) <= 4096),
    commented_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX csat_surveys_open ON csat_surveys (tenant_id, contact_id, number_id, sent_at DESC);
CREATE INDEX csat_surveys_conversation ON csat_surveys (tenant_id, conversation_id);
ALTER TABLE csat_surveys ENABLE ROW LEVEL SECURITY;
ALTER TABLE csat_surveys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON csat_surveys
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- A resolution asks for a rating when the business switched CSAT on (the job decides the rest).
CREATE FUNCTION csat_conversations_resolved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO jobs (id, tenant_id, job_type, data, max_attempts)
    SELECT gen_random_uuid(), n.tenant_id, 'csat_request', jsonb_build_object('conversation_id', n.id), 5
      FROM new_rows n
      JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
      JOIN workflow_settings w ON w.tenant_id = n.tenant_id AND w.csat_enabled
     WHERE n.status = 'resolved' AND o.status <> 'resolved';
    RETURN NULL;
END $$;
CREATE TRIGGER csat_conversations_resolved AFTER UPDATE ON conversations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION csat_conversations_resolved();

-- Scores are KPI facts.
ALTER TABLE kpi_events ADD COLUMN score smallint;
ALTER TABLE kpi_events DROP CONSTRAINT kpi_events_kind_check;
ALTER TABLE kpi_events ADD CONSTRAINT kpi_events_kind_check CHECK (kind IN ('opened', 'reopened',
    'resolved', 'first_response', 'message_in', 'message_out', 'bot_handled', 'bot_contained',
    'sla_met', 'sla_breached', 'csat'));
ALTER TABLE kpi_hourly
    ADD COLUMN csat_count integer NOT NULL DEFAULT 0,
    ADD COLUMN csat_sum integer NOT NULL DEFAULT 0,
    -- How many answered 1, 2, 3, 4 and 5.
    ADD COLUMN csat_dist integer[] NOT NULL DEFAULT '{0,0,0,0,0}';

CREATE FUNCTION kpi_csat_answered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kpi_events (tenant_id, kind, at, conversation_id, number_id, team_id, agent_id, score)
    SELECT n.tenant_id, 'csat', coalesce(n.answered_at, now()), n.conversation_id, n.number_id,
           n.team_id, n.agent_id, n.score
      FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
     WHERE n.score IS NOT NULL AND o.score IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER kpi_csat_answered AFTER UPDATE ON csat_surveys
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_csat_answered();
