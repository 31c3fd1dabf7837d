DROP TRIGGER kpi_csat_answered ON csat_surveys;
DROP FUNCTION kpi_csat_answered();
ALTER TABLE kpi_hourly DROP COLUMN csat_count, DROP COLUMN csat_sum, DROP COLUMN csat_dist;
DELETE FROM kpi_events WHERE kind = 'csat';
ALTER TABLE kpi_events DROP CONSTRAINT kpi_events_kind_check;
ALTER TABLE kpi_events ADD CONSTRAINT kpi_events_kind_check CHECK (kind IN ('opened', 'reopened',
    'resolved', 'first_response', 'message_in', 'message_out', 'bot_handled', 'bot_contained',
    'sla_met', 'sla_breached'));
ALTER TABLE kpi_events DROP COLUMN score;
DROP TRIGGER csat_conversations_resolved ON conversations;
DROP FUNCTION csat_conversations_resolved();
DROP TABLE csat_surveys;
ALTER TABLE workflow_settings DROP COLUMN csat_enabled, DROP COLUMN csat_question,
    DROP COLUMN csat_template_id;
