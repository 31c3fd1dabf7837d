ALTER TABLE workflow_settings DROP COLUMN opt_out_keywords;
DROP TABLE consent_events;
