-- Contact profiles: an agent-set display name (over WhatsApp's profile name), email, free-text
-- notes, marketing opt-in state with when and where it last changed, and blocking (a blocked
-- customer's messages are still stored, but nothing reopens, notifies, assigns or auto-replies,
-- and sends to them are refused). CSV imports run in the worker and keep per-row errors.
-- Business-owned tables follow the foundation's isolation rules (tenant_id leading every key,
-- RLS enabled and forced).

ALTER TABLE contacts
    ADD COLUMN name text CHECK (char_length(name) BETWEEN 1 AND 200),
    ADD COLUMN email text CHECK (char_length(email) BETWEEN 3 AND 254),
    ADD COLUMN notes text CHECK (char_length(notes) <= 10000),
    ADD COLUMN opt_in text NOT NULL DEFAULT 'unknown'
        CHECK (opt_in IN ('unknown', 'opted_in', 'opted_out')),
    ADD COLUMN opt_in_changed_at timestamptz,
    -- Where the last change came from: agent, import, api, or a campaign/keyword later.
    ADD COLUMN opt_in_source text CHECK (char_length(opt_in_source) <= 100),
    ADD COLUMN blocked_at timestamptz,
    ADD COLUMN blocked_by uuid,
    ADD CONSTRAINT contacts_blocked_by FOREIGN KEY (tenant_id, blocked_by)
        REFERENCES memberships (tenant_id, id) ON DELETE SET NULL (blocked_by);
CREATE INDEX contacts_blocked ON contacts (tenant_id, id) WHERE blocked_at IS NOT NULL;
-- The duplicates hint compares normalised display names.
CREATE INDEX contacts_display_name ON contacts (tenant_id, lower(coalesce(name, profile_name)));

-- One CSV upload and its progress. The file is kept in the row (at most 5 MB) so the upload and
-- its job commit together; it is cleared once the import is done.
CREATE TABLE contact_imports (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    created_by uuid,
    filename text CHECK (char_length(filename) <= 240),
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    source text,
    total integer NOT NULL DEFAULT 0,
    processed integer NOT NULL DEFAULT 0,
    created integer NOT NULL DEFAULT 0,
    updated integer NOT NULL DEFAULT 0,
    failed integer NOT NULL DEFAULT 0,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES memberships (tenant_id, id) ON DELETE SET NULL (created_by)
);

-- Rows of an import that could not be applied (row 1 is the first data row after the header).
CREATE TABLE contact_import_errors (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    import_id uuid NOT NULL,
    row_number integer NOT NULL,
    message text NOT NULL,
    PRIMARY KEY (tenant_id, import_id, row_number),
    FOREIGN KEY (tenant_id, import_id) REFERENCES contact_imports (tenant_id, id) ON DELETE CASCADE
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contact_imports', 'contact_import_errors'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)', t);
    END LOOP;
END $$;
