-- What the channel carries beyond text: message templates (per WABA), media files (kept in the
-- media store, described here), unread counts, and a business's own Meta app (its app secret,
-- verify token and webhook path). Business-owned tables follow the foundation's isolation rules.

CREATE TABLE templates (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    waba_id text NOT NULL,
    -- Meta's id; NULL only while a creation has not been answered.
    meta_id text,
    name text NOT NULL,
    language text NOT NULL,
    -- APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL, ... as Meta says.
    status text NOT NULL,
    category text,
    parameter_format text NOT NULL DEFAULT 'positional'
        CHECK (parameter_format IN ('positional', 'named')),
    -- Meta's component objects (HEADER, BODY, FOOTER, BUTTONS).
    components jsonb NOT NULL DEFAULT '[]',
    rejected_reason text,
    quality text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX templates_name ON templates (tenant_id, waba_id, name, language);

CREATE TABLE media (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    -- inbound: a customer's file, downloaded from Meta by the worker; upload: an agent's file.
    origin text NOT NULL CHECK (origin IN ('inbound', 'upload')),
    status text NOT NULL CHECK (status IN ('pending', 'ready', 'failed')),
    -- The number whose token reads (inbound) or that uploaded (outbound) the Meta media id.
    number_id uuid,
    meta_media_id text,
    -- When Meta's upload id stops being usable (30 days after the upload).
    meta_media_expires_at timestamptz,
    mime_type text,
    filename text,
    size_bytes bigint,
    -- Hex SHA-256 of the stored bytes.
    sha256 text,
    -- The key in the media store (local folder or S3 bucket).
    storage_key text,
    error text,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    ready_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, number_id) REFERENCES whatsapp_numbers (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES memberships (tenant_id, id)
);

ALTER TABLE messages ADD COLUMN media_id uuid;
ALTER TABLE messages ADD FOREIGN KEY (tenant_id, media_id) REFERENCES media (tenant_id, id);
CREATE INDEX messages_media ON messages (tenant_id, media_id) WHERE media_id IS NOT NULL;

-- Inbound messages since an agent last opened the conversation.
ALTER TABLE conversations ADD COLUMN unread_count integer NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN last_read_at timestamptz;

-- A business that brings its own Meta app: webhooks for its numbers arrive at
-- /webhooks/whatsapp/{webhook_key}, signed with its own app secret.
CREATE TABLE meta_apps (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    app_id text NOT NULL,
    -- AES-256-GCM (nonce || ciphertext), like number tokens.
    app_secret_enc bytea NOT NULL,
    verify_token_enc bytea NOT NULL,
    webhook_key text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['templates', 'media', 'meta_apps'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)', t);
    END LOOP;
END $$;
