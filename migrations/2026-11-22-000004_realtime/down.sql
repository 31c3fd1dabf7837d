DROP TRIGGER realtime_media_upd ON media;
DROP TRIGGER realtime_conversations_upd ON conversations;
DROP TRIGGER realtime_conversations_ins ON conversations;
DROP TRIGGER realtime_messages_upd ON messages;
DROP TRIGGER realtime_messages_ins ON messages;
DROP FUNCTION realtime_media_updated, realtime_conversations_updated, realtime_conversations_inserted,
    realtime_messages_updated, realtime_messages_inserted;
DROP TABLE realtime_events;
