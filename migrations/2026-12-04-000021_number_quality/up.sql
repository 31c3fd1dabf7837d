-- Number quality: failed sends counted per number, UTC hour and error code as their statuses
-- arrive (a healthy number writes nothing), read by the quality report and the spike check
-- instead of scanning messages; and when a failure spike was last reported, so admins get one
-- alert per quiet period (`tenants::quality`).
CREATE TABLE number_failures (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    number_id uuid NOT NULL,
    hour timestamptz NOT NULL,
    -- 0 when Meta gave no code.
    error_code integer NOT NULL,
    title text,
    count integer NOT NULL CHECK (count > 0),
    PRIMARY KEY (tenant_id, number_id, hour, error_code),
    FOREIGN KEY (tenant_id, number_id) REFERENCES whatsapp_numbers (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE number_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE number_failures FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON number_failures
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE whatsapp_numbers ADD COLUMN failure_alerted_at timestamptz;
