ALTER TABLE conversations DROP COLUMN handler;
ALTER TABLE contacts DROP COLUMN attributes;
