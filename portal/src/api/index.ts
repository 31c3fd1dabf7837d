// The portal's API: one shared client plus a typed function per endpoint of docs/api.md.

import i18n from '../i18n';
import { createApiClient, errorFromResponse, isApiError } from './client';
import type { UploadOptions } from './client';
import type {
  WorkflowSettings,
  OptOutKeywords,
  ConsentEvent,
  FailedJob,
  FailedJobList,
  Agent,
  Bot,
  BotInput,
  BotStats,
  KbEntry,
  KbEntryInput,
  KbMatch,
  SuggestedReply,
  CannedResponse,
  CannedResponseInput,
  Mention,
  Mentionables,
  NotificationPage,
  Priority,
  PresenceStatus,
  Conversation,
  ConversationChanges,
  ConversationStatus,
  EmbeddedSignupBody,
  EmbeddedSignupConfig,
  MetaApp,
  ContactChanges,
  ContactDetail,
  ContactImport,
  ContactSummary,
  HoursSettings,
  HoursView,
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
  RoutingRule,
  RoutingRuleInput,
  RoutingView,
  AssignmentMode,
  SlaPolicy,
  SlaPolicyInput,
  SlaStatus,
  SandboxMessage,
  Session,
  Tag,
  Team,
  WebhookDelivery,
  WebhookDeliveryState,
  WebhookEndpoint,
  WebhookEndpointChanges,
  WebhookEndpointInput,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
  WebhookReceipt,
  WhatsAppNumber,
} from './types';
import type { Report, ReportQuery } from './types';

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
  /** Absent: every conversation the person may see. */
  assignee?: 'me' | 'unassigned' | 'all';
  team_id?: string;
  tag_id?: string;
  priority?: Priority;
  /** `closing`: the 24-hour window closes within the hour. */
  window?: 'closing';
  /** The SLA state (`at_risk`, `breached`, …). */
  sla?: SlaStatus;
  /** Absent: newest activity first. */
  sort?: 'activity' | 'waiting';
  /** Full-text search over messages and the contact's name and number. */
  q?: string;
  cursor?: string | null;
  limit?: number;
}

/** The query string of `GET /api/v1/conversations` for a filter (defaults are left out). */
export function conversationQuery(filter: ConversationFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.status) params.set('status', filter.status);
  if (filter.number_id) params.set('number_id', filter.number_id);
  if (filter.assignee && filter.assignee !== 'all') params.set('assignee', filter.assignee);
  if (filter.team_id) params.set('team_id', filter.team_id);
  if (filter.tag_id) params.set('tag_id', filter.tag_id);
  if (filter.priority) params.set('priority', filter.priority);
  if (filter.window) params.set('window', filter.window);
  if (filter.sla) params.set('sla', filter.sla);
  if (filter.sort && filter.sort !== 'activity') params.set('sort', filter.sort);
  const text = filter.q?.trim();
  if (text) params.set('q', text);
  if (filter.cursor) params.set('cursor', filter.cursor);
  params.set('limit', String(filter.limit ?? 50));
  return params;
}

/** What a reply adds for collision protection (issue 4). */
export interface SendGuard {
  last_seen_message_id?: string;
  force?: boolean;
}

// A server without collision protection refuses the extra fields (422, unknown field): then the
// portal sends without them from then on.
let sendGuardSupported = true;
function refusesGuard(e: unknown): boolean {
  if (!isApiError(e) || e.status !== 422) return false;
  const text = [e.message, ...Object.values(e.fields)].join(' ');
  return /last_seen_message_id|unknown field `force`/.test(text);
}

export const conversations = {
  list: (filter: ConversationFilter = {}, opts?: { signal?: AbortSignal }) =>
    api.get<Page<Conversation>>(`/api/v1/conversations?${conversationQuery(filter)}`, opts),
  get: (id: string) => api.get<Conversation>(`/api/v1/conversations/${q(id)}`),
  /** One page of messages, oldest first, starting after `cursor`. */
  messages: (id: string, cursor: string | null, limit = 200) =>
    api.get<Page<Message>>(
      `/api/v1/conversations/${q(id)}/messages?limit=${limit}${cursor ? `&cursor=${q(cursor)}` : ''}`,
    ),
  send: async (id: string, body: SendBody, guard: SendGuard = {}) => {
    const path = `/api/v1/conversations/${q(id)}/messages`;
    const extra: SendGuard = {};
    if (guard.last_seen_message_id) extra.last_seen_message_id = guard.last_seen_message_id;
    if (guard.force) extra.force = true;
    if (!sendGuardSupported || Object.keys(extra).length === 0) return api.post<Message>(path, body);
    try {
      return await api.post<Message>(path, { ...body, ...extra });
    } catch (e) {
      if (!refusesGuard(e)) throw e;
      sendGuardSupported = false;
      return api.post<Message>(path, body);
    }
  },
  /** Status and/or assignee; claiming for oneself is atomic (409 `already_assigned` names the winner). */
  update: (id: string, changes: ConversationChanges) => api.patch<Conversation>(`/api/v1/conversations/${q(id)}`, changes),
  /** The team has seen it: resets `unread_count` and sends the customer blue ticks. */
  read: (id: string) => api.post<void>(`/api/v1/conversations/${q(id)}/read`, {}),
  /** Replaces the conversation's tags. */
  setTags: (id: string, tag_ids: string[]) => api.put<Conversation>(`/api/v1/conversations/${q(id)}/tags`, { tag_ids }),
  /** An internal note (never sent to WhatsApp); mentioned agents are notified. */
  addNote: (id: string, body: string, mentions: Mention[] = []) =>
    api.post<Message>(`/api/v1/conversations/${q(id)}/notes`, mentions.length ? { body, mentions: mentions.map((m) => ({ type: m.type, id: m.id })) } : { body }),
  /** "I am looking at it" (TTL 30 s: repeat every 10 s). */
  viewing: (id: string) => api.post<void>(`/api/v1/conversations/${q(id)}/viewing`, {}),
  stopViewing: (id: string) => api.del(`/api/v1/conversations/${q(id)}/viewing`),
  /** Takes or renews the composer lease (TTL 15 s); 409 `composer_locked` names the holder. */
  typing: (id: string) => api.post<void>(`/api/v1/conversations/${q(id)}/typing`, {}),
  stopTyping: (id: string) => api.del(`/api/v1/conversations/${q(id)}/typing`),
};

export const contacts = {
  list: (opts: { q?: string; tag_id?: string; blocked?: boolean; cursor?: string | null; limit?: number } = {}) => {
    const params = new URLSearchParams();
    if (opts.q) params.set('q', opts.q);
    if (opts.tag_id) params.set('tag_id', opts.tag_id);
    if (opts.blocked !== undefined) params.set('blocked', String(opts.blocked));
    if (opts.cursor) params.set('cursor', opts.cursor);
    params.set('limit', String(opts.limit ?? 50));
    return api.get<Page<ContactSummary>>(`/api/v1/contacts?${params}`);
  },
  get: (id: string) => api.get<ContactDetail>(`/api/v1/contacts/${q(id)}`),
  create: (body: ContactChanges & { phone: string }) => api.post<ContactDetail>('/api/v1/contacts', body),
  update: (id: string, body: ContactChanges) => api.patch<ContactDetail>(`/api/v1/contacts/${q(id)}`, body),
  setTags: (id: string, tag_ids: string[]) => api.put<unknown>(`/api/v1/contacts/${q(id)}/tags`, { tag_ids }),
  block: (id: string) => api.post<ContactDetail>(`/api/v1/contacts/${q(id)}/block`, {}),
  unblock: (id: string) => api.del<ContactDetail>(`/api/v1/contacts/${q(id)}/block`),
  /** Folds `from` into `id` (conversations, tags, attributes) and deletes `from`. */
  merge: (id: string, from: string) => api.post<ContactDetail>(`/api/v1/contacts/${q(id)}/merge`, { from }),
  /** Every consent change, newest first. */
  consent: (id: string) => api.get<{ items: ConsentEvent[] }>(`/api/v1/contacts/${q(id)}/consent`).then((p) => p.items),
  duplicates: (id: string) => api.get<{ items: ContactSummary[] }>(`/api/v1/contacts/${q(id)}/duplicates`).then((p) => p.items),
  /** Starts a CSV import (multipart, field `file`); poll `importStatus` for progress. */
  importFile: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api.upload<ContactImport>('/api/v1/contacts/imports', form);
  },
  importStatus: (id: string) => api.get<ContactImport>(`/api/v1/contacts/imports/${q(id)}`),
  /** The directory as CSV text (the import's columns). */
  exportCsv: async (): Promise<Blob> => {
    const token = api.getAccessToken();
    const res = await fetch('/api/v1/contacts/export', {
      credentials: 'same-origin',
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
    if (!res.ok) throw await errorFromResponse(res);
    return res.blob();
  },
};

export const businessHours = {
  /** The business's schedule (no `number_id`) first, then numbers with their own. */
  list: () => api.get<{ items: HoursView[] }>('/api/v1/business-hours').then((p) => p.items),
  save: (body: HoursSettings) => api.put<HoursView>('/api/v1/business-hours', body),
  /** The number follows the business's schedule again. */
  removeNumber: (numberId: string) => api.del(`/api/v1/business-hours/numbers/${q(numberId)}`),
};

/** Workflow settings: the window warning's lead time and auto-resolve after customer silence. */
export const workflow = {
  get: () => api.get<WorkflowSettings>('/api/v1/settings/workflow'),
  save: (body: WorkflowSettings) => api.put<WorkflowSettings>('/api/v1/settings/workflow', body),
};

/** Opt-out keywords (settings:manage): `null` restores the defaults, `[]` turns keyword opt-outs off. */
export const optOutKeywords = {
  get: () => api.get<OptOutKeywords>('/api/v1/settings/opt-out-keywords'),
  save: (keywords: string[] | null) => api.put<OptOutKeywords>('/api/v1/settings/opt-out-keywords', { keywords }),
};

/** The platform operator's console (403 for anyone not in platform_operators). */
export const operator = {
  jobs: (opts: { job_type?: string } = {}) => {
    const params = new URLSearchParams();
    if (opts.job_type) params.set('job_type', opts.job_type);
    const qs = params.toString();
    return api.get<FailedJobList>(`/api/v1/operator/jobs${qs ? `?${qs}` : ''}`);
  },
  retry: (id: string) => api.post<FailedJob>(`/api/v1/operator/jobs/${q(id)}/retry`, {}),
};

/** Routing: team assignment modes, numbers' default teams, agents' capacity, and ordered rules. */
export const routing = {
  view: () => api.get<RoutingView>('/api/v1/routing'),
  /** `reassign_after_minutes`: 1-1440, null for never, absent for unchanged. */
  setTeam: (teamId: string, body: { assignment: AssignmentMode; reassign_after_minutes?: number | null }) =>
    api.put<RoutingView>(`/api/v1/routing/teams/${q(teamId)}`, body),
  setNumber: (numberId: string, team_id: string | null) => api.put<RoutingView>(`/api/v1/routing/numbers/${q(numberId)}`, { team_id }),
  setCapacity: (membershipId: string, max_open: number) => api.put<RoutingView>(`/api/v1/routing/agents/${q(membershipId)}`, { max_open }),
  rules: () => api.get<{ items: RoutingRule[] }>('/api/v1/routing/rules').then((p) => p.items),
  createRule: (body: RoutingRuleInput) => api.post<RoutingRule>('/api/v1/routing/rules', body),
  updateRule: (id: string, body: Partial<RoutingRuleInput>) => api.patch<RoutingRule>(`/api/v1/routing/rules/${q(id)}`, body),
  removeRule: (id: string) => api.del(`/api/v1/routing/rules/${q(id)}`),
  /** `ids` names every rule once, in the new order. */
  orderRules: (ids: string[]) => api.put<{ items: RoutingRule[] }>('/api/v1/routing/rules/order', { ids }).then((p) => p.items),
};

/** SLA policies: ordered response and resolution targets (reading: settings:manage or reports:view). */
export const slaPolicies = {
  list: () => api.get<{ items: SlaPolicy[] }>('/api/v1/sla-policies').then((p) => p.items),
  create: (body: SlaPolicyInput) => api.post<SlaPolicy>('/api/v1/sla-policies', body),
  /** A full replacement. */
  replace: (id: string, body: SlaPolicyInput) => api.put<SlaPolicy>(`/api/v1/sla-policies/${q(id)}`, body),
  remove: (id: string) => api.del(`/api/v1/sla-policies/${q(id)}`),
  /** `ids` names every policy once, in the new order. */
  order: (ids: string[]) => api.put<{ items: SlaPolicy[] }>('/api/v1/sla-policies/order', { ids }).then((p) => p.items),
};

/** Outgoing webhooks (settings:manage): endpoints, their signing secrets and delivery logs. */
export const webhookEndpoints = {
  list: () => api.get<WebhookEndpointList>('/api/v1/webhook-endpoints'),
  get: (id: string) => api.get<WebhookEndpoint>(`/api/v1/webhook-endpoints/${q(id)}`),
  /** 201 with the signing secret, shown only now; 422 `fields.url` for a private address. */
  create: (body: WebhookEndpointInput) => api.post<WebhookEndpointWithSecret>('/api/v1/webhook-endpoints', body),
  update: (id: string, body: WebhookEndpointChanges) => api.patch<WebhookEndpoint>(`/api/v1/webhook-endpoints/${q(id)}`, body),
  remove: (id: string) => api.del(`/api/v1/webhook-endpoints/${q(id)}`),
  /** A new secret; the old one stops working at once. */
  rotateSecret: (id: string) => api.post<WebhookEndpointWithSecret>(`/api/v1/webhook-endpoints/${q(id)}/rotate-secret`),
  /** Queues a `ping` event (202, the pending delivery). */
  ping: (id: string) => api.post<WebhookDelivery>(`/api/v1/webhook-endpoints/${q(id)}/ping`),
  /** Newest first. */
  deliveries: (id: string, opts: { state?: WebhookDeliveryState; cursor?: string | null; limit?: number } = {}) => {
    const params = new URLSearchParams();
    if (opts.state) params.set('state', opts.state);
    if (opts.cursor) params.set('cursor', opts.cursor);
    params.set('limit', String(opts.limit ?? 20));
    return api.get<Page<WebhookDelivery>>(`/api/v1/webhook-endpoints/${q(id)}/deliveries?${params}`);
  },
  /** A new delivery of the same event (same event id and data). */
  redeliver: (id: string, deliveryId: string) =>
    api.post<WebhookDelivery>(`/api/v1/webhook-endpoints/${q(id)}/deliveries/${q(deliveryId)}/redeliver`),
};

/** The query string of a report (empty filters are left out). */
export function reportQuery(query: ReportQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['from', 'to', 'number_id', 'team_id', 'agent_id'] as const) {
    const v = query[key];
    if (v) params.set(key, v);
  }
  return params;
}

/** KPI reports (reports:view): totals, days, heatmap and agents of a range; the same as CSV. */
export const reports = {
  overview: (query: ReportQuery = {}, opts?: { signal?: AbortSignal }) => {
    const qs = reportQuery(query).toString();
    return api.get<Report>(`/api/v1/reports/overview${qs ? `?${qs}` : ''}`, opts);
  },
  csv: (query: ReportQuery = {}) => {
    const qs = reportQuery(query).toString();
    return api.download(`/api/v1/reports/overview.csv${qs ? `?${qs}` : ''}`);
  },
};

export const mentionables = {
  list: () => api.get<Mentionables>('/api/v1/mentionables'),
};

export const notifications = {
  list: (opts: { unread?: boolean; cursor?: string | null; limit?: number } = {}) => {
    const params = new URLSearchParams();
    if (opts.unread) params.set('unread', 'true');
    if (opts.cursor) params.set('cursor', opts.cursor);
    params.set('limit', String(opts.limit ?? 20));
    return api.get<NotificationPage>(`/api/v1/notifications?${params}`);
  },
  read: (id: string) => api.post<void>(`/api/v1/notifications/${q(id)}/read`, {}),
  readAll: () => api.post<void>('/api/v1/notifications/read-all', {}),
};

export const canned = {
  search: (opts: { q?: string; conversation_id?: string } = {}) => {
    const params = new URLSearchParams();
    params.set('q', opts.q ?? '');
    if (opts.conversation_id) params.set('conversation_id', opts.conversation_id);
    return api.get<{ items: CannedResponse[] }>(`/api/v1/canned-responses?${params}`).then((p) => p.items);
  },
  create: (body: CannedResponseInput) => api.post<CannedResponse>('/api/v1/canned-responses', body),
  update: (id: string, body: Partial<CannedResponseInput>) => api.patch<CannedResponse>(`/api/v1/canned-responses/${q(id)}`, body),
  remove: (id: string) => api.del(`/api/v1/canned-responses/${q(id)}`),
};

export const bots = {
  list: () => api.get<{ items: Bot[] }>('/api/v1/bots').then((p) => p.items),
  create: (body: BotInput) => api.post<Bot>('/api/v1/bots', body),
  update: (id: string, body: Partial<Omit<BotInput, 'number_id'>>) => api.patch<Bot>(`/api/v1/bots/${q(id)}`, body),
  remove: (id: string) => api.del(`/api/v1/bots/${q(id)}`),
  stats: (id: string) => api.get<BotStats>(`/api/v1/bots/${q(id)}/stats`),
  /** A reply suggested by the LLM provider (409 `llm_not_configured` when there is none). */
  suggestReply: (conversationId: string) => api.post<SuggestedReply>(`/api/v1/conversations/${q(conversationId)}/suggested-reply`, {}),
};

export const knowledge = {
  list: () => api.get<{ items: KbEntry[] }>('/api/v1/knowledge').then((p) => p.items),
  search: (text: string) => api.get<{ items: KbMatch[] }>(`/api/v1/knowledge/search?q=${encodeURIComponent(text)}`).then((p) => p.items),
  create: (body: KbEntryInput) => api.post<KbEntry>('/api/v1/knowledge', body),
  update: (id: string, body: Partial<KbEntryInput>) => api.patch<KbEntry>(`/api/v1/knowledge/${q(id)}`, body),
  remove: (id: string) => api.del(`/api/v1/knowledge/${q(id)}`),
};

export const presence = {
  set: (availability: 'online' | 'away') => api.put<{ status: PresenceStatus }>('/api/v1/me/presence', { availability }),
};

/** A feature whose endpoint this server does not have (404/405/501): hide it. */
export function isMissingEndpoint(e: unknown): boolean {
  return isApiError(e) && (e.status === 404 || e.status === 405 || e.status === 501);
}

/** The sandbox number's test phone: the signed-in person plays a customer. */
export const sandbox = {
  send: (body: SandboxMessage) => api.post<WebhookReceipt>('/api/v1/sandbox/messages', body),
  thread: (from: string) => api.get<Page<Message>>(`/api/v1/sandbox/messages?from=${q(from)}`),
  read: (from: string) => api.post<WebhookReceipt>('/api/v1/sandbox/read', { from }),
};
