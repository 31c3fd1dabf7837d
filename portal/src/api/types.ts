// Shapes of the Chorus HTTP API v1, as documented in docs/api.md.

export type Permission =
  | 'conversations:read_assigned'
  | 'conversations:read_all'
  | 'conversations:reply'
  | 'conversations:assign'
  | 'notes:write'
  | 'contacts:manage'
  | 'tags:manage'
  | 'canned:manage'
  | 'numbers:manage'
  | 'agents:manage'
  | 'roles:manage'
  | 'teams:manage'
  | 'reports:view'
  | 'billing:manage'
  | 'settings:manage'
  | 'audit:view';

export const ALL_PERMISSIONS: Permission[] = [
  'conversations:read_assigned',
  'conversations:read_all',
  'conversations:reply',
  'conversations:assign',
  'notes:write',
  'contacts:manage',
  'tags:manage',
  'canned:manage',
  'numbers:manage',
  'agents:manage',
  'roles:manage',
  'teams:manage',
  'reports:view',
  'billing:manage',
  'settings:manage',
  'audit:view',
];

export interface Session {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  tenant_id: string;
  membership_id: string;
}

export interface Me {
  user: { id: string; email: string; name: string; locale: string | null };
  tenant: { id: string; name: string; time_zone: string };
  membership: { id: string; role: { id: string; name: string }; permissions: string[] };
  memberships: MembershipSummary[];
}

export interface MembershipSummary {
  tenant_id: string;
  tenant_name: string;
  membership_id: string;
  role_name: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface RoleRef {
  id: string;
  name: string;
}

export interface Agent {
  id: string;
  user_id: string;
  name: string;
  email: string;
  role: RoleRef;
  status: 'active' | 'deactivated';
  team_ids: string[];
  created_at: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: RoleRef;
  team_ids: string[];
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  expires_at: string;
  created_at: string;
}

export interface Role {
  id: string;
  name: string;
  builtin: boolean;
  permissions: string[];
}

export interface Team {
  id: string;
  name: string;
  member_ids: string[];
  created_at: string;
}

export interface Tag {
  id: string;
  name: string;
  colour: string;
  created_at: string;
}

export interface InvitationLookup {
  tenant_name: string;
  email: string;
  role_name: string;
  inviter_name: string;
  account_exists: boolean;
}
