-- Opt-outs: every change of a contact's marketing consent is recorded with its time and source
-- (a keyword the customer wrote, Meta reporting that the customer stopped marketing messages,
-- an agent, an import), so campaigns can prove why they skipped someone.
CREATE TABLE consent_events (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    contact_id uuid NOT NULL,
    state text NOT NULL CHECK (state IN ('unknown', 'opted_in', 'opted_out')),
    -- keyword:STOP, meta:131050, agent, import, merge
    source text NOT NULL CHECK (char_length(source) BETWEEN 1 AND 100),
    message_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX consent_events_contact ON consent_events (tenant_id, contact_id, created_at DESC);
ALTER TABLE consent_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE consent_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON consent_events
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- The words that opt a customer out when a message is exactly one of them (NULL: STOP, BAJA,
-- CANCELAR, UNSUBSCRIBE).
ALTER TABLE workflow_settings ADD COLUMN opt_out_keywords text[]
    CHECK (cardinality(opt_out_keywords) <= 20);
