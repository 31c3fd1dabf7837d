-- Daily KPI roll-ups: the same sums as `kpi_hourly`, per local day of the business (its time
-- zone when the roll-up ran). A 90-day report of a busy business read 65,000 hourly rows with
-- their histograms (seconds per request); it reads 90 × its team-agent pairs daily rows now,
-- with the heatmap's hours inside them.
CREATE TABLE kpi_daily (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day date NOT NULL,
    number_id uuid NOT NULL,
    team_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    opened integer NOT NULL DEFAULT 0,
    reopened integer NOT NULL DEFAULT 0,
    resolved integer NOT NULL DEFAULT 0,
    messages_in integer NOT NULL DEFAULT 0,
    messages_out integer NOT NULL DEFAULT 0,
    bot_handled integer NOT NULL DEFAULT 0,
    bot_contained integer NOT NULL DEFAULT 0,
    sla_met integer NOT NULL DEFAULT 0,
    sla_breached integer NOT NULL DEFAULT 0,
    frt_count integer NOT NULL DEFAULT 0,
    frt_secs bigint NOT NULL DEFAULT 0,
    frt_bh_secs bigint NOT NULL DEFAULT 0,
    frt_hist integer[] NOT NULL DEFAULT '{}',
    frt_bh_hist integer[] NOT NULL DEFAULT '{}',
    res_count integer NOT NULL DEFAULT 0,
    res_secs bigint NOT NULL DEFAULT 0,
    res_bh_secs bigint NOT NULL DEFAULT 0,
    res_hist integer[] NOT NULL DEFAULT '{}',
    res_bh_hist integer[] NOT NULL DEFAULT '{}',
    csat_count integer NOT NULL DEFAULT 0,
    csat_sum integer NOT NULL DEFAULT 0,
    csat_dist integer[] NOT NULL DEFAULT '{0,0,0,0,0}',
    -- Conversations opened and messages received in each local hour of the day (24 entries):
    -- the heatmap, without reading hourly rows.
    opened_by_hour integer[] NOT NULL DEFAULT '{}',
    messages_in_by_hour integer[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, day, number_id, team_id, agent_id)
);
ALTER TABLE kpi_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE kpi_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kpi_daily
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
REVOKE INSERT, UPDATE, DELETE ON kpi_daily FROM chorus_app;

-- No hourly sums exist to fold in: `kpi_hourly` (000020) ships with this migration.
