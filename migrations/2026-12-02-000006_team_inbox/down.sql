-- The realtime migration's trigger functions, as they were.
CREATE OR REPLACE FUNCTION realtime_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, message_id, assignee_id, previous_assignee_id)
    SELECT n.tenant_id, 'message.created', n.conversation_id, n.id, c.assignee_id, c.assignee_id
      FROM new_rows n JOIN conversations c ON c.tenant_id = n.tenant_id AND c.id = n.conversation_id;
    PERFORM pg_notify('chorus_realtime', '');
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION realtime_messages_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION realtime_conversations_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, assignee_id, previous_assignee_id)
    SELECT n.tenant_id, 'conversation.updated', n.id, n.assignee_id, n.assignee_id FROM new_rows n;
    PERFORM pg_notify('chorus_realtime', '');
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION realtime_conversations_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION realtime_media_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TABLE composer_leases, conversation_viewers, canned_responses, notifications, contact_tags, conversation_tags;
ALTER TABLE memberships DROP COLUMN availability, DROP COLUMN last_seen_at, DROP COLUMN last_active_at;
DROP INDEX messages_search;
ALTER TABLE messages DROP CONSTRAINT messages_internal_kind;
DELETE FROM messages WHERE direction = 'internal';
ALTER TABLE messages DROP CONSTRAINT messages_direction_check;
ALTER TABLE messages ADD CONSTRAINT messages_direction_check CHECK (direction IN ('inbound', 'outbound'));
DROP INDEX conversations_waiting, conversations_assignee, conversations_contact;
ALTER TABLE conversations DROP CONSTRAINT conversations_snooze, DROP CONSTRAINT conversations_team;
UPDATE conversations SET status = 'open' WHERE status = 'snoozed';
ALTER TABLE conversations DROP COLUMN team_id, DROP COLUMN priority, DROP COLUMN snoozed_until, DROP COLUMN waiting_since;
DELETE FROM realtime_events WHERE conversation_id IS NULL;
ALTER TABLE realtime_events DROP COLUMN recipient_id, DROP COLUMN team_id, DROP COLUMN previous_team_id, DROP COLUMN data,
    ALTER COLUMN conversation_id SET NOT NULL;
