-- Foundation: businesses (tenants), people, roles, teams, tags, invitations, sessions, audit, jobs.
--
-- Runs as the owner role `chorus_owner` (the bootstrap creates it and the `chorus_app` and
-- `chorus_system` roles). Every table a business owns carries `tenant_id` leading its primary
-- and foreign keys, and has ENABLE + FORCE ROW LEVEL SECURITY with a policy on the transaction's
-- `app.tenant_id`. `NULLIF(.., '')` makes an unset tenant fail closed (no rows) instead of erroring.

ALTER DEFAULT PRIVILEGES FOR ROLE chorus_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO chorus_app, chorus_system;
GRANT USAGE ON SCHEMA public TO chorus_app, chorus_system;
GRANT SELECT ON __diesel_schema_migrations TO chorus_app, chorus_system;

CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (char_length(name) BETWEEN 2 AND 80),
    time_zone text NOT NULL DEFAULT 'UTC',
    locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'es')),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- People are global: one person may belong to several businesses. Inside a tenant door a person
-- is visible only when they are a member of that business (see the policy after memberships).
CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL CHECK (email = lower(email)),
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
    password_hash text NOT NULL,
    locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'es')),
    email_verified_at timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- People who run the platform itself (the operator console). Reached only through the system door.
CREATE TABLE platform_operators (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON platform_operators FROM chorus_app;

-- Single-use links for email verification and password reset: only a SHA-256 of the secret is kept.
CREATE TABLE email_tokens (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    token_hash bytea NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);
-- Reached only through the system door.
REVOKE ALL ON email_tokens FROM chorus_app;

CREATE TABLE roles (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
    builtin text CHECK (builtin IN ('owner', 'admin', 'supervisor', 'agent')),
    permissions text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX roles_name_key ON roles (tenant_id, lower(name));
CREATE UNIQUE INDEX roles_builtin_key ON roles (tenant_id, builtin) WHERE builtin IS NOT NULL;

CREATE TABLE memberships (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id),
    role_id uuid NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
    deactivated_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, user_id),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id)
);
CREATE INDEX memberships_user ON memberships (user_id);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY member_of_current_tenant ON users
    USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id
                   AND m.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid))
    WITH CHECK (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id
                   AND m.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid));

CREATE TABLE teams (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX teams_name_key ON teams (tenant_id, lower(name));

CREATE TABLE team_members (
    tenant_id uuid NOT NULL,
    team_id uuid NOT NULL,
    membership_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, team_id, membership_id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX team_members_membership ON team_members (tenant_id, membership_id);

CREATE TABLE tags (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    colour text NOT NULL CHECK (colour ~ '^#[0-9a-f]{6}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX tags_name_key ON tags (tenant_id, lower(name));

CREATE TABLE invitations (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    email text NOT NULL CHECK (email = lower(email)),
    role_id uuid NOT NULL,
    team_ids uuid[] NOT NULL DEFAULT '{}',
    token_hash bytea NOT NULL,
    invited_by uuid,
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id),
    FOREIGN KEY (tenant_id, invited_by) REFERENCES memberships (tenant_id, id)
);
CREATE INDEX invitations_created ON invitations (tenant_id, created_at DESC);

-- Rotating refresh tokens. A token names its tenant and row; the secret part is kept hashed.
-- Presenting a rotated token again revokes the whole family.
CREATE TABLE refresh_tokens (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    family_id uuid NOT NULL,
    membership_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, membership_id) REFERENCES memberships (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id);
CREATE INDEX refresh_tokens_membership ON refresh_tokens (tenant_id, membership_id) WHERE revoked_at IS NULL;

CREATE TABLE audit_log (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    actor_membership_id uuid,
    action text NOT NULL,
    target_type text NOT NULL,
    target_id uuid,
    before jsonb,
    after jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, actor_membership_id) REFERENCES memberships (tenant_id, id)
);
-- Audit rows are append-only for the application.
REVOKE UPDATE, DELETE ON audit_log FROM chorus_app;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['roles', 'memberships', 'teams', 'team_members', 'tags',
                             'invitations', 'refresh_tokens', 'audit_log'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)', t);
    END LOOP;
END $$;

-- The job queue (system table): the app role may only enqueue, inside its business transaction;
-- the worker claims and runs jobs through the system door, then runs tenant jobs in a tenant door.
CREATE TABLE jobs (
    id uuid PRIMARY KEY,
    tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
    job_type text NOT NULL,
    data jsonb NOT NULL,
    priority smallint NOT NULL DEFAULT 0,
    state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'dead')),
    run_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 10,
    last_error text,
    locked_until timestamptz,
    locked_by text,
    dedupe_key text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_ready ON jobs (priority DESC, run_at, id) WHERE state = 'queued';
CREATE UNIQUE INDEX jobs_dedupe ON jobs (job_type, dedupe_key)
    WHERE dedupe_key IS NOT NULL AND state = 'queued' AND locked_until IS NULL;
REVOKE SELECT, UPDATE, DELETE ON jobs FROM chorus_app;
