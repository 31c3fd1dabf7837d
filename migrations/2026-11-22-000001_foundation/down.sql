DROP TABLE jobs, audit_log, refresh_tokens, invitations, tags, team_members, teams;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
DROP POLICY member_of_current_tenant ON users;
DROP TABLE memberships, roles, email_tokens, platform_operators, users, tenants;
