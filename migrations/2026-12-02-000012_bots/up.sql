-- Bots and the knowledge base (issue 4 item 8).
--
-- A bot is one triage flow: a number's own, or the business default (number_id NULL) for numbers
-- without one. Its steps are JSON checked on write into a typed enum (tenants/src/bots.rs), so
-- the table only insists on an array. A bot session is one run of a flow in one conversation;
-- at most one is active (ended_at NULL) per conversation. Its outcome feeds containment reports.
CREATE TABLE bots (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    number_id uuid,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    enabled boolean NOT NULL DEFAULT false,
    steps jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(steps) = 'array'),
    kb_threshold double precision NOT NULL DEFAULT 0.5 CHECK (kb_threshold >= 0 AND kb_threshold <= 1),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, number_id) REFERENCES whatsapp_numbers (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX bots_number ON bots (tenant_id, number_id) WHERE number_id IS NOT NULL;
CREATE UNIQUE INDEX bots_default ON bots (tenant_id) WHERE number_id IS NULL;

CREATE TABLE bot_sessions (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    bot_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    -- The index of the step the bot is at, and what it waits for there (NULL: nothing).
    step integer NOT NULL DEFAULT 0 CHECK (step >= 0),
    waiting text CHECK (waiting IN ('text', 'choice', 'intent')),
    retries integer NOT NULL DEFAULT 0,
    started_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz,
    outcome text CHECK (outcome IN ('contained', 'handed_over', 'abandoned')),
    reason text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, bot_id) REFERENCES bots (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE,
    CHECK ((ended_at IS NULL) = (outcome IS NULL))
);
CREATE UNIQUE INDEX bot_sessions_active ON bot_sessions (tenant_id, conversation_id) WHERE ended_at IS NULL;
CREATE INDEX bot_sessions_bot ON bot_sessions (tenant_id, bot_id, started_at);

-- Questions and answers a bot (and the suggested-reply helper) answers from. The search vector
-- is English || Spanish like messages' (migration 000006); the question and keywords weigh more
-- (A) than the answer (C). Keywords are stored as one comma-separated text (an array would need
-- array_to_string, which is not immutable, in a generated column).
CREATE TABLE kb_entries (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    question text NOT NULL CHECK (char_length(question) BETWEEN 1 AND 500),
    answer text NOT NULL CHECK (char_length(answer) BETWEEN 1 AND 4096),
    keywords text NOT NULL DEFAULT '' CHECK (char_length(keywords) <= 1000),
    search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', question || ' ' || keywords), 'A')
        || setweight(to_tsvector('spanish', question || ' ' || keywords), 'A')
        || setweight(to_tsvector('english', answer), 'C')
        || setweight(to_tsvector('spanish', answer), 'C')) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX kb_entries_search ON kb_entries USING gin (search);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['bots', 'bot_sessions', 'kb_entries'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)', t);
    END LOOP;
END $$;

-- A bot handing a conversation over tells the team.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('mention', 'assigned', 'handover'));
