-- Routing rules: a business's ordered list of "if ALL these conditions hold for a new
-- conversation, do these actions". The first enabled rule that matches wins. Conditions and
-- actions are typed JSON (validated by the app on write; ids inside them may go stale when a
-- team or tag is deleted, and ingest then skips that action).
CREATE TABLE routing_rules (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    position integer NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    conditions jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(conditions) = 'array'),
    actions jsonb NOT NULL CHECK (jsonb_typeof(actions) = 'array'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX routing_rules_order ON routing_rules (tenant_id, position);

ALTER TABLE routing_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE routing_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON routing_rules
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Reassignment: an automatic team may take a conversation back from an assignee who has not
-- answered the waiting customer within N minutes of getting it (NULL: never).
ALTER TABLE teams ADD COLUMN reassign_after_minutes integer
    CHECK (reassign_after_minutes BETWEEN 1 AND 1440);
-- When the current assignee got the conversation. Kept by a trigger, so every path that
-- assigns (claim, assign, automatic assignment, rules) sets it without knowing.
ALTER TABLE conversations ADD COLUMN assigned_at timestamptz;
UPDATE conversations SET assigned_at = updated_at WHERE assignee_id IS NOT NULL;

CREATE FUNCTION conversations_assigned_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
        NEW.assigned_at := CASE WHEN NEW.assignee_id IS NULL THEN NULL ELSE now() END;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER conversations_assigned_at BEFORE INSERT OR UPDATE OF assignee_id ON conversations
    FOR EACH ROW EXECUTE FUNCTION conversations_assigned_at();
