-- KPIs: raw facts, captured by triggers in the transaction that makes them true, and hourly
-- roll-ups that reports read.
--
-- `kpi_events` is the raw log: a conversation opened, reopened, resolved or first answered; a
-- message in or out; a bot session started or contained; an SLA period met or breached. Each
-- row names the conversation's number, team and assignee at that moment. Durations are not
-- stored: a first response or resolution carries when its period started, and the roll-up
-- measures it in calendar time and in the number's business hours (Rust: `hours::Schedule`).
--
-- `kpi_hourly` adds them up per business, UTC hour, number, team and agent (the nil uuid for
-- "none"), with histograms of the durations so medians and p90 can be read from sums. The
-- roll-up job (`kpi::rollup`) reads events by transaction id below the oldest running
-- transaction, like realtime does, so every event is counted exactly once even when
-- transactions commit out of order; the floor lives in `kpi_rollup_state` and moves in the same
-- transaction as the sums.
CREATE TABLE kpi_events (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id bigint GENERATED ALWAYS AS IDENTITY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    kind text NOT NULL CHECK (kind IN ('opened', 'reopened', 'resolved', 'first_response',
        'message_in', 'message_out', 'bot_handled', 'bot_contained', 'sla_met', 'sla_breached')),
    at timestamptz NOT NULL,
    conversation_id uuid NOT NULL,
    number_id uuid NOT NULL,
    team_id uuid,
    agent_id uuid,
    -- first_response and resolved: when the measured period began.
    started_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX kpi_events_xid ON kpi_events (xid);
CREATE INDEX kpi_events_at ON kpi_events (tenant_id, at);
CREATE INDEX kpi_events_reopened ON kpi_events (tenant_id, conversation_id, at) WHERE kind = 'reopened';
ALTER TABLE kpi_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE kpi_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kpi_events
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- Facts are appended by the triggers and never changed by the app.
REVOKE UPDATE, DELETE ON kpi_events FROM chorus_app;
GRANT USAGE ON SEQUENCE kpi_events_id_seq TO chorus_app, chorus_system;

CREATE TABLE kpi_hourly (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    hour timestamptz NOT NULL,
    number_id uuid NOT NULL,
    team_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    opened integer NOT NULL DEFAULT 0,
    reopened integer NOT NULL DEFAULT 0,
    resolved integer NOT NULL DEFAULT 0,
    messages_in integer NOT NULL DEFAULT 0,
    messages_out integer NOT NULL DEFAULT 0,
    bot_handled integer NOT NULL DEFAULT 0,
    bot_contained integer NOT NULL DEFAULT 0,
    sla_met integer NOT NULL DEFAULT 0,
    sla_breached integer NOT NULL DEFAULT 0,
    frt_count integer NOT NULL DEFAULT 0,
    frt_secs bigint NOT NULL DEFAULT 0,
    frt_bh_secs bigint NOT NULL DEFAULT 0,
    frt_hist integer[] NOT NULL DEFAULT '{}',
    frt_bh_hist integer[] NOT NULL DEFAULT '{}',
    res_count integer NOT NULL DEFAULT 0,
    res_secs bigint NOT NULL DEFAULT 0,
    res_bh_secs bigint NOT NULL DEFAULT 0,
    res_hist integer[] NOT NULL DEFAULT '{}',
    res_bh_hist integer[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, hour, number_id, team_id, agent_id)
);
ALTER TABLE kpi_hourly ENABLE ROW LEVEL SECURITY;
ALTER TABLE kpi_hourly FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kpi_hourly
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- Only the roll-up (system role) writes sums.
REVOKE INSERT, UPDATE, DELETE ON kpi_hourly FROM chorus_app;

-- The roll-up's position (a platform table: no business owns it).
CREATE TABLE kpi_rollup_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    floor xid8 NOT NULL,
    rolled_up_at timestamptz
);
INSERT INTO kpi_rollup_state (floor) VALUES ('0'::xid8);
REVOKE ALL ON kpi_rollup_state FROM chorus_app;

CREATE FUNCTION kpi_conversations_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kpi_events (tenant_id, kind, at, conversation_id, number_id, team_id, agent_id)
    SELECT n.tenant_id, 'opened', n.opened_at, n.id, n.number_id, n.team_id, n.assignee_id
      FROM new_rows n WHERE n.status <> 'resolved';
    RETURN NULL;
END $$;
CREATE TRIGGER kpi_conversations_inserted AFTER INSERT ON conversations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_conversations_inserted();

CREATE FUNCTION kpi_conversations_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kpi_events (tenant_id, kind, at, conversation_id, number_id, team_id, agent_id, started_at)
    SELECT n.tenant_id, e.kind, e.at, n.id, n.number_id, n.team_id, n.assignee_id, e.started_at
      FROM new_rows n
      JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
     CROSS JOIN LATERAL (
        SELECT 'reopened'::text AS kind, now() AS at, NULL::timestamptz AS started_at
         WHERE o.status = 'resolved' AND n.status <> 'resolved'
        UNION ALL
        SELECT 'resolved', coalesce(n.resolved_at, now()),
               coalesce((SELECT max(r.at) FROM kpi_events r
                          WHERE r.tenant_id = n.tenant_id AND r.conversation_id = n.id
                            AND r.kind = 'reopened'), n.opened_at)
         WHERE o.status <> 'resolved' AND n.status = 'resolved'
        UNION ALL
        SELECT 'first_response', n.first_reply_at, n.opened_at
         WHERE o.first_reply_at IS NULL AND n.first_reply_at IS NOT NULL
        UNION ALL
        SELECT 'sla_' || n.sla_status, now(), NULL
         WHERE n.sla_status IN ('met', 'breached') AND n.sla_status IS DISTINCT FROM o.sla_status
     ) e;
    RETURN NULL;
END $$;
CREATE TRIGGER kpi_conversations_updated AFTER UPDATE ON conversations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_conversations_updated();

-- Messages in and out (timeline items, direction internal, are not messages to count).
CREATE FUNCTION kpi_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kpi_events (tenant_id, kind, at, conversation_id, number_id, team_id, agent_id)
    SELECT n.tenant_id, CASE n.direction WHEN 'inbound' THEN 'message_in' ELSE 'message_out' END,
           n.created_at, n.conversation_id, c.number_id, c.team_id, c.assignee_id
      FROM new_rows n JOIN conversations c ON c.tenant_id = n.tenant_id AND c.id = n.conversation_id
     WHERE n.direction IN ('inbound', 'outbound');
    RETURN NULL;
END $$;
CREATE TRIGGER kpi_messages_inserted AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_messages_inserted();

CREATE FUNCTION kpi_bot_sessions_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kpi_events (tenant_id, kind, at, conversation_id, number_id, team_id, agent_id)
    SELECT n.tenant_id, 'bot_handled', n.started_at, n.conversation_id, c.number_id, c.team_id, c.assignee_id
      FROM new_rows n JOIN conversations c ON c.tenant_id = n.tenant_id AND c.id = n.conversation_id;
    RETURN NULL;
END $$;
CREATE TRIGGER kpi_bot_sessions_inserted AFTER INSERT ON bot_sessions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kpi_bot_sessions_inserted();

CREATE FUNCTION kpi_bot_sessions_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kpi_events (tenant_id, kind, at, conversation_id, number_id, team_id, agent_id)
    SELECT n.tenant_id, 'bot_contained', coalesce(n.ended_at, now()), n.conversation_id, c.number_id,
           c.team_id, c.assignee_id
      FROM new_rows n
      JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
      JOIN conversations c ON c.tenant_id = n.tenant_id AND c.id = n.conversation_id
     WHERE n.outcome = 'contained' AND o.outcome IS DISTINCT FROM 'contained';
    RETURN NULL;
END $$;
CREATE TRIGGER kpi_bot_sessions_updated AFTER UPDATE ON bot_sessions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_bot_sessions_updated();

-- When the roll-up last ran, for the reports' "up to date as of" (the app role may not read the
-- state row itself).
CREATE FUNCTION kpi_rolled_up_at() RETURNS timestamptz LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public AS $$
    SELECT rolled_up_at FROM kpi_rollup_state WHERE singleton
$$;
