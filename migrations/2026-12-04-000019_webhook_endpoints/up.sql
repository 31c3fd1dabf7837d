-- Outgoing webhooks: a business registers URLs that are told about events of its inbox.
--
-- Deliveries are an outbox written by triggers in the same transaction as the change, so an event
-- is delivered exactly when its change commits and never for a change that rolled back. Each
-- delivery gets one `webhook_deliver` job (retries with the queue's backoff); the payload is the
-- event-time snapshot taken here, so a retry sends the same data. A business without an enabled
-- endpoint pays one index probe per statement.
CREATE TABLE webhook_endpoints (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    url text NOT NULL CHECK (char_length(url) BETWEEN 8 AND 2048),
    description text CHECK (char_length(description) <= 200),
    -- A subset of the event names in `webhook_event_names()`.
    events text[] NOT NULL CHECK (cardinality(events) > 0),
    -- The signing secret, encrypted with the server's key (tenants::crypto::SecretBox).
    secret_encrypted bytea NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_success_at timestamptz,
    last_failure_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhook_endpoints_enabled ON webhook_endpoints (tenant_id) WHERE enabled;
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

CREATE TABLE webhook_deliveries (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    endpoint_id uuid NOT NULL,
    -- One event delivered to several endpoints shares its id (receivers de-duplicate on it).
    event_id uuid NOT NULL,
    event text NOT NULL,
    payload jsonb NOT NULL,
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    response_status integer,
    -- The first KiB of the receiver's answer, or why there was none.
    response_excerpt text,
    duration_ms integer,
    created_at timestamptz NOT NULL DEFAULT now(),
    attempted_at timestamptz,
    delivered_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (tenant_id, endpoint_id, id DESC);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- A time-ordered (version 7) uuid, like the ids the app makes, so deliveries page by id: the
-- first 48 bits are the Unix time in milliseconds, the version nibble says 7.
CREATE FUNCTION chorus_uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
               PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
               FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;

-- Queue deliveries of `events` (tenant_id, event, payload) to every enabled endpoint of the
-- business that subscribed to the event, and one job for each.
CREATE FUNCTION webhooks_emit(events jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH ev AS MATERIALIZED (
        SELECT (x->>'tenant_id')::uuid AS tenant_id, x->>'event' AS event, x->'payload' AS payload,
               gen_random_uuid() AS event_id
          FROM jsonb_array_elements(events) x
    ), d AS (
        INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event, payload)
        SELECT ev.tenant_id, chorus_uuid_v7(), e.id, ev.event_id, ev.event, ev.payload
          FROM ev JOIN webhook_endpoints e
            ON e.tenant_id = ev.tenant_id AND e.enabled AND ev.event = ANY (e.events)
        RETURNING tenant_id, id
    )
    INSERT INTO jobs (id, tenant_id, job_type, data, max_attempts)
    SELECT gen_random_uuid(), d.tenant_id, 'webhook_deliver', jsonb_build_object('delivery_id', d.id), 8
      FROM d;
END $$;

CREATE FUNCTION webhooks_any_endpoint(tenants uuid[]) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND tenant_id = ANY (tenants))
$$;

CREATE FUNCTION webhooks_message_json(m messages) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'id', m.id, 'conversation_id', m.conversation_id, 'direction', m.direction,
        'type', m.kind, 'body', m.body, 'content', m.content, 'wamid', m.wamid,
        'status', m.status, 'error_code', m.error_code, 'error_title', m.error_title,
        'sender_type', m.sender_type, 'sender_id', m.sender_id, 'media_id', m.media_id,
        'created_at', m.created_at, 'status_at', m.status_at)
$$;

CREATE FUNCTION webhooks_conversation_json(c conversations) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'number_id', c.number_id, 'contact_id', c.contact_id, 'status', c.status,
        'assignee_id', c.assignee_id, 'team_id', c.team_id, 'priority', c.priority,
        'handler', c.handler, 'referral', c.referral, 'window_expires_at', c.window_expires_at,
        'opened_at', c.opened_at, 'resolved_at', c.resolved_at, 'created_at', c.created_at)
$$;

CREATE FUNCTION webhooks_contact_json(c contacts) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'wa_id', c.wa_id, 'bsuid', c.bsuid, 'name', c.name,
        'profile_name', c.profile_name, 'email', c.email, 'attributes', c.attributes,
        'opt_in', c.opt_in, 'blocked', c.blocked_at IS NOT NULL, 'updated_at', c.updated_at)
$$;

CREATE FUNCTION webhooks_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF webhooks_any_endpoint(ARRAY(SELECT DISTINCT tenant_id FROM new_rows)) THEN
        PERFORM webhooks_emit(COALESCE(jsonb_agg(jsonb_build_object(
            'tenant_id', n.tenant_id, 'event', 'message.created',
            'payload', jsonb_build_object('message', webhooks_message_json(n)))), '[]'))
          FROM new_rows n;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER webhooks_messages_inserted AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhooks_messages_inserted();

CREATE FUNCTION webhooks_messages_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF webhooks_any_endpoint(ARRAY(SELECT DISTINCT tenant_id FROM new_rows)) THEN
        PERFORM webhooks_emit(COALESCE(jsonb_agg(jsonb_build_object(
            'tenant_id', n.tenant_id, 'event', 'message.status',
            'payload', jsonb_build_object('message', webhooks_message_json(n),
                                          'previous_status', o.status))), '[]'))
          FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
         WHERE n.status IS DISTINCT FROM o.status;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER webhooks_messages_updated AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhooks_messages_updated();

CREATE FUNCTION webhooks_conversations_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF webhooks_any_endpoint(ARRAY(SELECT DISTINCT tenant_id FROM new_rows)) THEN
        PERFORM webhooks_emit(COALESCE(jsonb_agg(jsonb_build_object(
            'tenant_id', n.tenant_id, 'event', 'conversation.created',
            'payload', jsonb_build_object('conversation', webhooks_conversation_json(n)))), '[]'))
          FROM new_rows n;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER webhooks_conversations_inserted AFTER INSERT ON conversations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION webhooks_conversations_inserted();

CREATE FUNCTION webhooks_conversations_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF webhooks_any_endpoint(ARRAY(SELECT DISTINCT tenant_id FROM new_rows)) THEN
        PERFORM webhooks_emit(COALESCE(jsonb_agg(e.x), '[]'))
          FROM (
            SELECT jsonb_build_object('tenant_id', n.tenant_id, 'event', 'conversation.assigned',
                       'payload', jsonb_build_object('conversation', webhooks_conversation_json(n),
                                                     'previous_assignee_id', o.assignee_id)) AS x
              FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
             WHERE n.assignee_id IS DISTINCT FROM o.assignee_id AND n.assignee_id IS NOT NULL
            UNION ALL
            SELECT jsonb_build_object('tenant_id', n.tenant_id, 'event', 'conversation.resolved',
                       'payload', jsonb_build_object('conversation', webhooks_conversation_json(n)))
              FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
             WHERE n.status = 'resolved' AND o.status <> 'resolved'
          ) e;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER webhooks_conversations_updated AFTER UPDATE ON conversations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhooks_conversations_updated();

-- contact.updated: what a person or an import changed about the customer (not bookkeeping).
CREATE FUNCTION webhooks_contacts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF webhooks_any_endpoint(ARRAY(SELECT DISTINCT tenant_id FROM new_rows)) THEN
        PERFORM webhooks_emit(COALESCE(jsonb_agg(jsonb_build_object(
            'tenant_id', n.tenant_id, 'event', 'contact.updated',
            'payload', jsonb_build_object('contact', webhooks_contact_json(n)))), '[]'))
          FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
         WHERE (n.name, n.email, n.profile_name, n.attributes, n.opt_in, n.blocked_at IS NULL, n.wa_id)
               IS DISTINCT FROM
               (o.name, o.email, o.profile_name, o.attributes, o.opt_in, o.blocked_at IS NULL, o.wa_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER webhooks_contacts_updated AFTER UPDATE ON contacts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhooks_contacts_updated();
