-- Realtime events: what changed in a business, written by triggers in the same transaction as
-- the change, so they exist exactly when it commits (and NOTIFY is delivered only on commit).
-- Each `chorus serve` LISTENs on `chorus_realtime` and reads events by transaction id: events of
-- transactions older than the oldest one still running are final, so a reader that advances
-- its window to `pg_snapshot_xmin(pg_current_snapshot())` never skips one that commits later.

CREATE TABLE realtime_events (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id bigint GENERATED ALWAYS AS IDENTITY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    -- message.created, message.updated, conversation.updated
    kind text NOT NULL,
    conversation_id uuid NOT NULL,
    message_id uuid,
    -- Who may see it: the conversation's assignee now and before the change (NULL: unassigned).
    assignee_id uuid,
    previous_assignee_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX realtime_events_xid ON realtime_events (xid);
CREATE INDEX realtime_events_created ON realtime_events (created_at);
ALTER TABLE realtime_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE realtime_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON realtime_events
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- The app role writes events (through the triggers) but never reads or changes them.
REVOKE SELECT, UPDATE, DELETE ON realtime_events FROM chorus_app;
GRANT USAGE ON SEQUENCE realtime_events_id_seq TO chorus_app, chorus_system;

CREATE FUNCTION realtime_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, message_id, assignee_id, previous_assignee_id)
    SELECT n.tenant_id, 'message.created', n.conversation_id, n.id, c.assignee_id, c.assignee_id
      FROM new_rows n JOIN conversations c ON c.tenant_id = n.tenant_id AND c.id = n.conversation_id;
    PERFORM pg_notify('chorus_realtime', '');
    RETURN NULL;
END $$;

CREATE FUNCTION realtime_messages_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, message_id, assignee_id, previous_assignee_id)
    SELECT n.tenant_id, 'message.updated', n.conversation_id, n.id, c.assignee_id, c.assignee_id
      FROM new_rows n
      JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
      JOIN conversations c ON c.tenant_id = n.tenant_id AND c.id = n.conversation_id
     WHERE n.status IS DISTINCT FROM o.status OR n.media_id IS DISTINCT FROM o.media_id
        OR n.wamid IS DISTINCT FROM o.wamid;
    PERFORM pg_notify('chorus_realtime', '');
    RETURN NULL;
END $$;

CREATE FUNCTION realtime_conversations_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, assignee_id, previous_assignee_id)
    SELECT n.tenant_id, 'conversation.updated', n.id, n.assignee_id, n.assignee_id FROM new_rows n;
    PERFORM pg_notify('chorus_realtime', '');
    RETURN NULL;
END $$;

CREATE FUNCTION realtime_conversations_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, assignee_id, previous_assignee_id)
    SELECT n.tenant_id, 'conversation.updated', n.id, n.assignee_id, o.assignee_id
      FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
     WHERE n.status IS DISTINCT FROM o.status OR n.assignee_id IS DISTINCT FROM o.assignee_id
        OR n.unread_count IS DISTINCT FROM o.unread_count
        OR n.last_message_at IS DISTINCT FROM o.last_message_at;
    PERFORM pg_notify('chorus_realtime', '');
    RETURN NULL;
END $$;

-- A file became ready (or failed): its message changed.
CREATE FUNCTION realtime_media_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, message_id, assignee_id, previous_assignee_id)
    SELECT m.tenant_id, 'message.updated', m.conversation_id, m.id, c.assignee_id, c.assignee_id
      FROM new_rows n
      JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
      JOIN messages m ON m.tenant_id = n.tenant_id AND m.media_id = n.id
      JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
     WHERE n.status IS DISTINCT FROM o.status;
    PERFORM pg_notify('chorus_realtime', '');
    RETURN NULL;
END $$;

CREATE TRIGGER realtime_messages_ins AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION realtime_messages_inserted();
CREATE TRIGGER realtime_messages_upd AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION realtime_messages_updated();
CREATE TRIGGER realtime_conversations_ins AFTER INSERT ON conversations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION realtime_conversations_inserted();
CREATE TRIGGER realtime_conversations_upd AFTER UPDATE ON conversations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION realtime_conversations_updated();
CREATE TRIGGER realtime_media_upd AFTER UPDATE ON media
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION realtime_media_updated();
