-- The WhatsApp channel: numbers, contacts, conversations, messages, status history and the raw
-- webhook events. Business-owned tables follow the isolation rules of the foundation migration.

CREATE TABLE whatsapp_numbers (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    -- Meta's id of the number; the routing key of every webhook. NULL-free and globally unique
    -- while connected (two businesses can never receive the same number's messages).
    phone_number_id text NOT NULL,
    waba_id text NOT NULL,
    display_phone_number text NOT NULL,
    verified_name text,
    quality_rating text,
    messaging_limit text,
    throughput_per_second integer NOT NULL DEFAULT 80,
    status text NOT NULL DEFAULT 'connected'
        CHECK (status IN ('connected', 'needs_reconnect', 'disconnected')),
    -- The sandbox number: an in-app test phone plays the customer through the same pipeline.
    sandbox boolean NOT NULL DEFAULT false,
    -- AES-256-GCM (nonce || ciphertext) of the Graph API access token; NULL for the sandbox.
    access_token_enc bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX whatsapp_numbers_routing ON whatsapp_numbers (phone_number_id)
    WHERE status <> 'disconnected';

CREATE TABLE contacts (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    -- The customer's WhatsApp id (phone digits) and/or business-scoped user id; at least one.
    wa_id text,
    bsuid text,
    profile_name text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (wa_id IS NOT NULL OR bsuid IS NOT NULL)
);
CREATE UNIQUE INDEX contacts_wa_id ON contacts (tenant_id, wa_id) WHERE wa_id IS NOT NULL;
CREATE UNIQUE INDEX contacts_bsuid ON contacts (tenant_id, bsuid) WHERE bsuid IS NOT NULL;

CREATE TABLE conversations (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    number_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'snoozed', 'resolved')),
    assignee_id uuid,
    last_inbound_at timestamptz,
    window_expires_at timestamptz,
    last_message_at timestamptz NOT NULL DEFAULT now(),
    last_message_preview text,
    referral jsonb,
    opened_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, number_id) REFERENCES whatsapp_numbers (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
    FOREIGN KEY (tenant_id, assignee_id) REFERENCES memberships (tenant_id, id)
);
-- One unresolved conversation per number and contact.
CREATE UNIQUE INDEX conversations_open ON conversations (tenant_id, number_id, contact_id)
    WHERE status <> 'resolved';
CREATE INDEX conversations_activity ON conversations (tenant_id, last_message_at DESC, id DESC);

CREATE TABLE messages (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    -- text, image, video, audio, document, sticker, location, contacts, interactive, button,
    -- reaction, order, system, template, unsupported, ...
    kind text NOT NULL,
    body text,
    -- The type-specific content (media ids, location, buttons, template parameters, raw unknowns).
    content jsonb NOT NULL DEFAULT '{}',
    wamid text,
    reply_to_wamid text,
    status text NOT NULL
        CHECK (status IN ('received', 'queued', 'sending', 'sent', 'delivered', 'read', 'played', 'failed')),
    error_code integer,
    error_title text,
    sender_type text NOT NULL CHECK (sender_type IN ('contact', 'agent', 'bot', 'system')),
    sender_id uuid,
    pricing jsonb,
    sent_at timestamptz NOT NULL DEFAULT now(),
    status_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
-- Meta retries and duplicates: a wamid is stored once per business.
CREATE UNIQUE INDEX messages_wamid ON messages (tenant_id, wamid) WHERE wamid IS NOT NULL;
CREATE INDEX messages_conversation ON messages (tenant_id, conversation_id, id);

-- Every status Meta reported, de-duplicated on (wamid, status); the message keeps the furthest.
CREATE TABLE message_statuses (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    wamid text NOT NULL,
    status text NOT NULL,
    occurred_at timestamptz NOT NULL,
    error_code integer,
    error_title text,
    pricing jsonb,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, wamid, status)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['whatsapp_numbers', 'contacts', 'conversations', 'messages', 'message_statuses'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)', t);
    END LOOP;
END $$;

-- Raw webhook deliveries, kept before anything else happens (system table: a delivery may
-- concern several businesses or none). `outcome`: processed, orphan (unknown number), failed
-- (kept for the worker to retry).
CREATE TABLE webhook_events (
    id uuid PRIMARY KEY,
    source text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    phone_number_id text,
    payload jsonb NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('processed', 'orphan', 'failed')),
    error text,
    -- Retries of a failed delivery by the worker (`retry_webhook_events`); it gives up at 10.
    attempts integer NOT NULL DEFAULT 0
);
CREATE INDEX webhook_events_failed ON webhook_events (received_at) WHERE outcome = 'failed';
REVOKE ALL ON webhook_events FROM chorus_app;
