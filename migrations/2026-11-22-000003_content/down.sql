DROP TABLE meta_apps;
ALTER TABLE conversations DROP COLUMN last_read_at, DROP COLUMN unread_count;
ALTER TABLE messages DROP COLUMN media_id;
DROP TABLE media, templates;
