ALTER TABLE conversations DROP COLUMN greeted_at, DROP COLUMN away_sent_at;
DROP TABLE business_hours;
