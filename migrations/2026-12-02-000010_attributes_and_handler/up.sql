-- Shared ground for routing rules, bots and contact profiles: a contact's custom attributes
-- (string keys to JSON scalars, set by agents, imports and bots; routing rules match on them),
-- and who is handling a conversation right now: a human team (the default) or the number's bot,
-- which keeps automatic assignment away until it hands over.
ALTER TABLE contacts ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}'::jsonb
    CHECK (jsonb_typeof(attributes) = 'object');
ALTER TABLE conversations ADD COLUMN handler text NOT NULL DEFAULT 'human'
    CHECK (handler IN ('human', 'bot'));
