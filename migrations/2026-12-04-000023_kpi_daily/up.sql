-- Daily KPI roll-ups: the same sums as `kpi_hourly`, per local day of the business (its time
-- zone when the roll-up ran). A 90-day report of a busy business read 65,000 hourly rows with
-- their histograms (seconds per request); it reads 90 × its team-agent pairs daily rows now,
-- and the hourly table only for the weekday × hour heatmap, as integer sums in SQL.
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
    PRIMARY KEY (tenant_id, day, number_id, team_id, agent_id)
);
ALTER TABLE kpi_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE kpi_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON kpi_daily
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
REVOKE INSERT, UPDATE, DELETE ON kpi_daily FROM chorus_app;

-- Existing hourly sums, folded into days (once; a fresh database has none).
CREATE FUNCTION pg_temp.add_arrays(a integer[], b integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY(SELECT coalesce(x, 0) + coalesce(y, 0) FROM unnest(a, b) AS t(x, y))
$$;
CREATE AGGREGATE pg_temp.sum_arrays(integer[]) (SFUNC = pg_temp.add_arrays, STYPE = integer[], INITCOND = '{}');
INSERT INTO kpi_daily
SELECT h.tenant_id, (h.hour AT TIME ZONE t.time_zone)::date, h.number_id, h.team_id, h.agent_id,
       sum(opened), sum(reopened), sum(resolved), sum(messages_in), sum(messages_out), sum(bot_handled),
       sum(bot_contained), sum(sla_met), sum(sla_breached),
       sum(frt_count), sum(frt_secs), sum(frt_bh_secs),
       pg_temp.sum_arrays(frt_hist), pg_temp.sum_arrays(frt_bh_hist),
       sum(res_count), sum(res_secs), sum(res_bh_secs),
       pg_temp.sum_arrays(res_hist), pg_temp.sum_arrays(res_bh_hist),
       sum(csat_count), sum(csat_sum), pg_temp.sum_arrays(csat_dist)
  FROM kpi_hourly h JOIN tenants t ON t.id = h.tenant_id
 GROUP BY 1, 2, 3, 4, 5;
