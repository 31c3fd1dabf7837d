DROP TABLE webhook_events, message_statuses, messages, conversations, contacts, whatsapp_numbers;
