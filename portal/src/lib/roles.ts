import type { TFunction } from 'i18next';
import type { Permission } from '../api/types';

const BUILTIN = ['owner', 'admin', 'supervisor', 'agent'];

/** Built-in role names are shown translated; custom names as their owners wrote them. */
export function roleLabel(t: TFunction, name: string, builtin = BUILTIN.includes(name)): string {
  if (builtin && BUILTIN.includes(name)) return t(`roleNames.${name}`);
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
