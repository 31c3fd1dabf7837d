// The portal's API: one shared client plus a typed function per endpoint of docs/api.md.

import i18n from '../i18n';
import { createApiClient } from './client';
import type { UploadOptions } from './client';
import type {
  Agent,
  Conversation,
  ConversationChanges,
  ConversationStatus,
  EmbeddedSignupBody,
  EmbeddedSignupConfig,
  MetaApp,
  NewTemplate,
  SendBody,
  Template,
  UploadedMedia,
  Invitation,
  InvitationLookup,
  Me,
  Message,
  Page,
  Role,
  SandboxMessage,
  Session,
  Tag,
  Team,
  WebhookReceipt,
  WhatsAppNumber,
} from './types';

export * from './client';
export * from './types';

export const api = createApiClient({ getLanguage: () => i18n.resolvedLanguage || i18n.language });

const q = encodeURIComponent;

/** Follows `next_cursor` until the list is complete (settings lists are small). */
export async function listAll<T>(path: string, client = api): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const url: string = `${path}${sep}limit=200${cursor ? `&cursor=${q(cursor)}` : ''}`;
    const page: Page<T> = await client.get<Page<T>>(url);
    items.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return items;
}

const noAuth = { auth: false } as const;

export const accounts = {
  signup: (body: { business_name: string; name: string; email: string; password: string; locale?: string }) =>
    api.post<{ user: unknown; tenant: unknown }>('/api/v1/signup', body, noAuth),
  verifyEmail: (token: string) => api.post<{ verified: boolean }>('/api/v1/auth/verify-email', { token }, noAuth),
  resendVerification: (email: string) => api.post<void>('/api/v1/auth/resend-verification', { email }, noAuth),
  login: (body: { email: string; password: string; tenant_id?: string }) =>
    api.post<Session>('/api/v1/auth/login', body, noAuth),
  logout: () => api.post<void>('/api/v1/auth/logout', {}, noAuth),
  switchTenant: (tenant_id: string) => api.post<Session>('/api/v1/auth/switch', { tenant_id }),
  forgotPassword: (email: string) => api.post<void>('/api/v1/auth/forgot-password', { email }, noAuth),
  resetPassword: (token: string, password: string) =>
    api.post<void>('/api/v1/auth/reset-password', { token, password }, noAuth),
  lookupInvitation: (token: string) =>
    api.get<InvitationLookup>(`/api/v1/invitations/lookup?token=${q(token)}`, noAuth),
  acceptInvitation: (body: { token: string; name?: string; password: string }) =>
    api.post<Session>('/api/v1/invitations/accept', body, noAuth),
  me: () => api.get<Me>('/api/v1/me'),
};

export const agents = {
  list: () => listAll<Agent>('/api/v1/agents'),
  update: (id: string, body: { role_id?: string; status?: Agent['status'] }) =>
    api.patch<Agent>(`/api/v1/agents/${q(id)}`, body),
};

export const invitations = {
  list: () => listAll<Invitation>('/api/v1/invitations'),
  create: (body: { email: string; role_id: string; team_ids?: string[] }) =>
    api.post<Invitation>('/api/v1/invitations', body),
  revoke: (id: string) => api.del(`/api/v1/invitations/${q(id)}`),
};

export const roles = {
  list: () => listAll<Role>('/api/v1/roles'),
  create: (body: { name: string; permissions: string[] }) => api.post<Role>('/api/v1/roles', body),
  update: (id: string, body: { name?: string; permissions?: string[] }) =>
    api.patch<Role>(`/api/v1/roles/${q(id)}`, body),
  remove: (id: string) => api.del(`/api/v1/roles/${q(id)}`),
};

export const teams = {
  list: () => listAll<Team>('/api/v1/teams'),
  create: (body: { name: string; member_ids?: string[] }) => api.post<Team>('/api/v1/teams', body),
  update: (id: string, body: { name?: string; member_ids?: string[] }) =>
    api.patch<Team>(`/api/v1/teams/${q(id)}`, body),
  remove: (id: string) => api.del(`/api/v1/teams/${q(id)}`),
};

export const tags = {
  list: () => listAll<Tag>('/api/v1/tags'),
  create: (body: { name: string; colour: string }) => api.post<Tag>('/api/v1/tags', body),
  update: (id: string, body: { name?: string; colour?: string }) => api.patch<Tag>(`/api/v1/tags/${q(id)}`, body),
  remove: (id: string) => api.del(`/api/v1/tags/${q(id)}`),
};

export const numbers = {
  list: () => listAll<WhatsAppNumber>('/api/v1/numbers'),
  connect: (body: { phone_number_id: string; waba_id: string; access_token: string }) =>
    api.post<WhatsAppNumber>('/api/v1/numbers', body),
  disconnect: (id: string) => api.del(`/api/v1/numbers/${q(id)}`),
  /** Whether "Connect with Facebook" (Meta's Embedded Signup) is available on this server. */
  embeddedSignupConfig: () => api.get<EmbeddedSignupConfig>('/api/v1/numbers/embedded-signup'),
  embeddedSignup: (body: EmbeddedSignupBody) => api.post<WhatsAppNumber>('/api/v1/numbers/embedded-signup', body),
};

/** The business's own Meta app (webhooks at its own path, signed with its own secret). */
export const metaApp = {
  get: () => api.get<MetaApp>('/api/v1/meta-app'),
  set: (body: { app_id: string; app_secret: string; verify_token: string }) => api.put<MetaApp>('/api/v1/meta-app', body),
  remove: () => api.del('/api/v1/meta-app'),
};

export const media = {
  /** Uploads one file (multipart field `file`); 413 `media_too_large`, 415 `media_type_unsupported`. */
  upload: (file: File, opts?: UploadOptions) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api.upload<UploadedMedia>('/api/v1/media', form, opts);
  },
  /** The file's description with a fresh URL. */
  get: (id: string) => api.get<UploadedMedia>(`/api/v1/media/${q(id)}`),
};

export const templates = {
  list: (filter: { number_id?: string; status?: string } = {}) => {
    const params = new URLSearchParams();
    if (filter.number_id) params.set('number_id', filter.number_id);
    if (filter.status) params.set('status', filter.status);
    const qs = params.toString();
    return api.get<Page<Template>>(`/api/v1/templates${qs ? `?${qs}` : ''}`).then((p) => p.items);
  },
  create: (body: NewTemplate) => api.post<Template>('/api/v1/templates', body),
  sync: (number_id: string) => api.post<void>('/api/v1/templates/sync', { number_id }),
};

export interface ConversationFilter {
  /** Absent: every unresolved conversation. */
  status?: ConversationStatus;
  number_id?: string;
  cursor?: string | null;
  limit?: number;
}

export const conversations = {
  list: (filter: ConversationFilter = {}, opts?: { signal?: AbortSignal }) => {
    const params = new URLSearchParams();
    if (filter.status) params.set('status', filter.status);
    if (filter.number_id) params.set('number_id', filter.number_id);
    if (filter.cursor) params.set('cursor', filter.cursor);
    params.set('limit', String(filter.limit ?? 50));
    return api.get<Page<Conversation>>(`/api/v1/conversations?${params}`, opts);
  },
  get: (id: string) => api.get<Conversation>(`/api/v1/conversations/${q(id)}`),
  /** One page of messages, oldest first, starting after `cursor`. */
  messages: (id: string, cursor: string | null, limit = 200) =>
    api.get<Page<Message>>(
      `/api/v1/conversations/${q(id)}/messages?limit=${limit}${cursor ? `&cursor=${q(cursor)}` : ''}`,
    ),
  send: (id: string, body: SendBody) => api.post<Message>(`/api/v1/conversations/${q(id)}/messages`, body),
  /** Status and/or assignee; claiming for oneself is atomic (409 `already_assigned` names the winner). */
  update: (id: string, changes: ConversationChanges) => api.patch<Conversation>(`/api/v1/conversations/${q(id)}`, changes),
  /** The team has seen it: resets `unread_count` and sends the customer blue ticks. */
  read: (id: string) => api.post<void>(`/api/v1/conversations/${q(id)}/read`, {}),
};

/** The sandbox number's test phone: the signed-in person plays a customer. */
export const sandbox = {
  send: (body: SandboxMessage) => api.post<WebhookReceipt>('/api/v1/sandbox/messages', body),
  thread: (from: string) => api.get<Page<Message>>(`/api/v1/sandbox/messages?from=${q(from)}`),
  read: (from: string) => api.post<WebhookReceipt>('/api/v1/sandbox/read', { from }),
};
