-- Automatic assignment: a team hands its waiting conversations to online members under their
-- capacity, by round-robin (whoever was assigned least recently) or balanced (fewest open);
-- 'manual' leaves them in the team's queue. A number may route its new conversations to a team.
ALTER TABLE teams ADD COLUMN assignment text NOT NULL DEFAULT 'manual'
    CHECK (assignment IN ('manual', 'round_robin', 'balanced'));
ALTER TABLE memberships ADD COLUMN max_open integer NOT NULL DEFAULT 10 CHECK (max_open BETWEEN 1 AND 500);
ALTER TABLE team_members ADD COLUMN last_assigned_at timestamptz;
ALTER TABLE whatsapp_numbers ADD COLUMN default_team_id uuid,
    ADD CONSTRAINT whatsapp_numbers_default_team FOREIGN KEY (tenant_id, default_team_id)
        REFERENCES teams (tenant_id, id) ON DELETE SET NULL (default_team_id);
CREATE INDEX conversations_team_queue ON conversations (tenant_id, team_id, waiting_since)
    WHERE assignee_id IS NULL AND status <> 'resolved';
