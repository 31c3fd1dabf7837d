-- The team inbox: teams, priority, snoozing and waiting time on conversations; tags on
-- conversations and contacts; internal notes and activity in the timeline; notifications;
-- canned responses; presence, viewers and composer leases; full-text search; realtime events
-- that carry data (typing, viewers, presence) or go to one member (notifications).
-- Business-owned tables follow the foundation's isolation rules (tenant_id leading every key,
-- RLS enabled and forced).

ALTER TABLE conversations
    ADD COLUMN team_id uuid,
    ADD COLUMN priority text NOT NULL DEFAULT 'none'
        CHECK (priority IN ('none', 'low', 'medium', 'high', 'urgent')),
    ADD COLUMN snoozed_until timestamptz,
    -- The oldest customer message we have not answered yet (NULL once we have).
    ADD COLUMN waiting_since timestamptz,
    ADD CONSTRAINT conversations_snooze CHECK (status <> 'snoozed' OR snoozed_until IS NOT NULL),
    ADD CONSTRAINT conversations_team FOREIGN KEY (tenant_id, team_id)
        REFERENCES teams (tenant_id, id) ON DELETE SET NULL (team_id);
CREATE INDEX conversations_waiting ON conversations (tenant_id, waiting_since, id)
    WHERE status <> 'resolved' AND waiting_since IS NOT NULL;
CREATE INDEX conversations_assignee ON conversations (tenant_id, assignee_id, last_message_at DESC)
    WHERE status <> 'resolved';
CREATE INDEX conversations_contact ON conversations (tenant_id, contact_id, opened_at DESC);

-- Timeline items that never leave Chorus: internal notes (kind 'note') and activity (kind
-- 'activity': assignments, transfers, status changes, automatic decisions with their reason).
ALTER TABLE messages DROP CONSTRAINT messages_direction_check;
ALTER TABLE messages ADD CONSTRAINT messages_direction_check
    CHECK (direction IN ('inbound', 'outbound', 'internal'));
ALTER TABLE messages ADD CONSTRAINT messages_internal_kind
    CHECK (direction <> 'internal' OR kind IN ('note', 'activity'));
-- Full-text search over what was said, in both of the product's languages.
CREATE INDEX messages_search ON messages USING gin (
    (to_tsvector('english', coalesce(body, '')) || to_tsvector('spanish', coalesce(body, ''))));

CREATE TABLE conversation_tags (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL,
    tag_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, conversation_id, tag_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, tag_id) REFERENCES tags (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX conversation_tags_tag ON conversation_tags (tenant_id, tag_id);

CREATE TABLE contact_tags (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    contact_id uuid NOT NULL,
    tag_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, contact_id, tag_id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, tag_id) REFERENCES tags (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_tags_tag ON contact_tags (tenant_id, tag_id);

-- What a member is told about: a mention in a note, a conversation assigned to them.
CREATE TABLE notifications (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    membership_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('mention', 'assigned')),
    conversation_id uuid NOT NULL,
    message_id uuid,
    actor_id uuid,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz,
    emailed_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, actor_id) REFERENCES memberships (tenant_id, id)
);
CREATE INDEX notifications_member ON notifications (tenant_id, membership_id, id DESC);
CREATE INDEX notifications_unread ON notifications (tenant_id, membership_id) WHERE read_at IS NULL;

-- Canned responses: shared (owner_id NULL) or one member's own.
CREATE TABLE canned_responses (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    shortcut text NOT NULL CHECK (shortcut ~ '^[a-z0-9_-]{1,32}$'),
    title text CHECK (char_length(title) <= 120),
    body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 4096),
    owner_id uuid,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, created_by) REFERENCES memberships (tenant_id, id)
);
CREATE UNIQUE INDEX canned_responses_shared ON canned_responses (tenant_id, shortcut) WHERE owner_id IS NULL;
CREATE UNIQUE INDEX canned_responses_personal ON canned_responses (tenant_id, owner_id, shortcut)
    WHERE owner_id IS NOT NULL;

-- Presence: the member's chosen availability, when a socket of theirs was last alive, and when
-- they last did something (auto-away after idle).
ALTER TABLE memberships
    ADD COLUMN availability text NOT NULL DEFAULT 'online' CHECK (availability IN ('online', 'away')),
    ADD COLUMN last_seen_at timestamptz,
    ADD COLUMN last_active_at timestamptz;

-- Who has a conversation open on screen (a heartbeat renews `expires_at`).
CREATE TABLE conversation_viewers (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL,
    membership_id uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, membership_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE
);

-- The composer lease: who is typing a reply in a conversation. One holder at a time.
CREATE TABLE composer_leases (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id uuid NOT NULL,
    holder_id uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, holder_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['conversation_tags', 'contact_tags', 'notifications', 'canned_responses',
                             'conversation_viewers', 'composer_leases'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)', t);
    END LOOP;
END $$;

-- Realtime events may now carry data (typing, viewers, presence), concern no conversation
-- (presence), or be meant for one member only (notifications). Team visibility: an agent who
-- reads only assigned conversations also sees their teams' unassigned ones.
ALTER TABLE realtime_events
    ALTER COLUMN conversation_id DROP NOT NULL,
    ADD COLUMN recipient_id uuid,
    ADD COLUMN team_id uuid,
    ADD COLUMN previous_team_id uuid,
    ADD COLUMN data jsonb;
-- Events the app writes itself (not through triggers) need to be insertable; reading stays
-- with the system role.
GRANT INSERT ON realtime_events TO chorus_app;

CREATE OR REPLACE FUNCTION realtime_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, message_id, assignee_id, previous_assignee_id,
                                 team_id, previous_team_id)
    SELECT n.tenant_id, 'message.created', n.conversation_id, n.id, c.assignee_id, c.assignee_id, c.team_id, c.team_id
      FROM new_rows n JOIN conversations c ON c.tenant_id = n.tenant_id AND c.id = n.conversation_id;
    PERFORM pg_notify('chorus_realtime', '');
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
    PERFORM pg_notify('chorus_realtime', '');
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION realtime_conversations_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO realtime_events (tenant_id, kind, conversation_id, assignee_id, previous_assignee_id,
                                 team_id, previous_team_id)
    SELECT n.tenant_id, 'conversation.updated', n.id, n.assignee_id, n.assignee_id, n.team_id, n.team_id FROM new_rows n;
    PERFORM pg_notify('chorus_realtime', '');
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
    PERFORM pg_notify('chorus_realtime', '');
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
    PERFORM pg_notify('chorus_realtime', '');
    RETURN NULL;
END $$;
