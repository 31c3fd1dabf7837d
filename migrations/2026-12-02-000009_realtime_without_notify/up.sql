-- Realtime triggers no longer NOTIFY. A NOTIFY takes PostgreSQL's cluster-wide notify lock from
-- pre-commit until the commit record is flushed, so every message write queued behind every
-- other one (the send benchmark spent most of its database time waiting on it). Events are
-- still written in the same transaction; each server reads the next final window every 50 ms
-- instead of waiting to be notified (api/src/realtime.rs).
CREATE OR REPLACE FUNCTION realtime_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, message_id, assignee_id, previous_assignee_id,
                                 team_id, previous_team_id)
    SELECT n.tenant_id, 'message.created', n.conversation_id, n.id, c.assignee_id, c.assignee_id, c.team_id, c.team_id
      FROM new_rows n JOIN conversations c ON c.tenant_id = n.tenant_id AND c.id = n.conversation_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION realtime_messages_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, message_id, assignee_id, previous_assignee_id,
                                 team_id, previous_team_id)
    SELECT n.tenant_id, 'message.updated', n.conversation_id, n.id, c.assignee_id, c.assignee_id, c.team_id, c.team_id
      FROM new_rows n
      JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
      JOIN conversations c ON c.tenant_id = n.tenant_id AND c.id = n.conversation_id
     WHERE n.status IS DISTINCT FROM o.status OR n.media_id IS DISTINCT FROM o.media_id
        OR n.wamid IS DISTINCT FROM o.wamid;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION realtime_conversations_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, assignee_id, previous_assignee_id,
                                 team_id, previous_team_id)
    SELECT n.tenant_id, 'conversation.updated', n.id, n.assignee_id, n.assignee_id, n.team_id, n.team_id FROM new_rows n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION realtime_conversations_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, assignee_id, previous_assignee_id,
                                 team_id, previous_team_id)
    SELECT n.tenant_id, 'conversation.updated', n.id, n.assignee_id, o.assignee_id, n.team_id, o.team_id
      FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
     WHERE n.status IS DISTINCT FROM o.status OR n.assignee_id IS DISTINCT FROM o.assignee_id
        OR n.unread_count IS DISTINCT FROM o.unread_count
        OR n.last_message_at IS DISTINCT FROM o.last_message_at
        OR n.team_id IS DISTINCT FROM o.team_id OR n.priority IS DISTINCT FROM o.priority
        OR n.snoozed_until IS DISTINCT FROM o.snoozed_until
        OR n.waiting_since IS DISTINCT FROM o.waiting_since
        OR n.updated_at IS DISTINCT FROM o.updated_at;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION realtime_media_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, message_id, assignee_id, previous_assignee_id,
                                 team_id, previous_team_id)
    SELECT m.tenant_id, 'message.updated', m.conversation_id, m.id, c.assignee_id, c.assignee_id, c.team_id, c.team_id
      FROM new_rows n
      JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
      JOIN messages m ON m.tenant_id = n.tenant_id AND m.media_id = n.id
      JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
     WHERE n.status IS DISTINCT FROM o.status;
    RETURN NULL;
END $$;
