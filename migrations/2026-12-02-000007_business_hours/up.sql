-- Business hours with a greeting for new conversations and an away message outside hours. One
-- schedule for the business (number_id NULL) and optionally one per number, which then wins.
-- Periods are [{day: mon..sun, start: "HH:MM", end: "HH:MM"}] in the schedule's IANA time zone;
-- an end at or before the start runs past midnight. Holidays ([{date: "YYYY-MM-DD", name}]) are
-- closed all day.
CREATE TABLE business_hours (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    number_id uuid,
    time_zone text NOT NULL,
    periods jsonb NOT NULL DEFAULT '[]',
    holidays jsonb NOT NULL DEFAULT '[]',
    greeting_enabled boolean NOT NULL DEFAULT false,
    greeting_text text CHECK (char_length(greeting_text) <= 1024),
    away_enabled boolean NOT NULL DEFAULT false,
    away_text text CHECK (char_length(away_text) <= 1024),
    -- At most one away message per conversation in this many hours.
    away_cooldown_hours integer NOT NULL DEFAULT 12 CHECK (away_cooldown_hours BETWEEN 1 AND 168),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, number_id) REFERENCES whatsapp_numbers (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX business_hours_default ON business_hours (tenant_id) WHERE number_id IS NULL;
CREATE UNIQUE INDEX business_hours_number ON business_hours (tenant_id, number_id) WHERE number_id IS NOT NULL;
ALTER TABLE business_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE business_hours FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON business_hours
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- When the automatic replies last went to a conversation.
ALTER TABLE conversations ADD COLUMN greeted_at timestamptz, ADD COLUMN away_sent_at timestamptz;
