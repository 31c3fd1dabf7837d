ALTER TABLE whatsapp_numbers DROP COLUMN failure_alerted_at;
DROP TABLE number_failures;
