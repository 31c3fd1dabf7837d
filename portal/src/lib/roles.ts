import type { TFunction } from 'i18next';
import type { Permission } from '../api/types';

const BUILTIN = ['owner', 'admin', 'supervisor', 'agent'];

/** The built-in key ('owner', …) of a role name, if it is one (names are unique case-insensitively). */
export function builtinKey(name: string): string | null {
  const key = name.trim().toLowerCase();
  return BUILTIN.includes(key) ? key : null;
}

/**
 * Built-in role names are shown translated; custom names as their owners wrote them. The server
 * names built-in roles "Owner", "Admin", "Supervisor", "Agent"; role names are unique without
 * regard to case, so a custom role can never take one of those names.
 */
export function roleLabel(t: TFunction, name: string, builtin?: boolean): string {
  const key = builtinKey(name);
  if (key && builtin !== false) return t(`roleNames.${key}`);
  return name;
}
export const PERMISSION_GROUPS: { key: string; permissions: Permission[] }[] = [
  {
    key: 'conversations',
    permissions: [
      'conversations:read_assigned',
      'conversations:read_all',
      'conversations:reply',
      'conversations:assign',
      'notes:write',
    ],
  },
  { key: 'content', permissions: ['contacts:manage', 'tags:manage', 'canned:manage'] },
  { key: 'team', permissions: ['agents:manage', 'roles:manage', 'teams:manage'] },
  {
    key: 'business',
    permissions: ['numbers:manage', 'reports:view', 'settings:manage', 'billing:manage', 'audit:view'],
  },
];
