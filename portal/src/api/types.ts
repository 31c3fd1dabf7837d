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

export type PresenceStatus = 'online' | 'away' | 'offline';

export interface Agent {
  id: string;
  user_id: string;
  name: string;
  email: string;
  role: RoleRef;
  status: 'active' | 'deactivated';
  team_ids: string[];
  created_at: string;
  /** Issue 4: online (socket open), away (chosen or idle > 10 min) or offline. */
  presence?: PresenceStatus | (string & {});
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

// ---------- Inbox (docs/api.md "Inbox") ----------

export interface WhatsAppNumber {
  id: string;
  phone_number_id: string;
  waba_id: string;
  /** Digits only, with country code (e.g. "15550000000"). */
  display_phone_number: string;
  verified_name: string | null;
  /** Meta's rating: GREEN, YELLOW, RED, UNKNOWN… */
  quality_rating: string | null;
  /** Meta's tier: TIER_250, TIER_1K, TIER_10K, TIER_100K, TIER_UNLIMITED… */
  messaging_limit: string | null;
  throughput_per_second: number;
  status: 'connected' | 'needs_reconnect' | 'disconnected' | (string & {});
  sandbox: boolean;
  created_at: string;
  /** Where Meta must post this number's webhooks (`/webhooks/whatsapp` or `/webhooks/whatsapp/{key}`). */
  webhook_path?: string;
}

export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';

/** A contact's custom attributes: string keys ([a-z0-9_]{1,40}, at most 50) to scalars. */
export type ContactAttributes = Record<string, string | number | boolean>;

export type OptInState = 'unknown' | 'opted_in' | 'opted_out';

/** `GET /api/v1/contacts/{id}`: the customer with their tags and the conversations one may see.
 * Profile fields are optional: an older server sends only id, wa_id, name, tags, conversations. */
export interface ContactDetail {
  id: string;
  wa_id: string | null;
  bsuid?: string | null;
  /** The agent-set name, else the WhatsApp profile name. */
  name: string | null;
  custom_name?: string | null;
  profile_name?: string | null;
  email?: string | null;
  notes?: string | null;
  attributes?: ContactAttributes;
  opt_in?: { state: OptInState | (string & {}); changed_at: string | null; source: string | null };
  blocked?: boolean;
  blocked_at?: string | null;
  blocked_by?: string | null;
  tags: ConversationTag[];
  /** Newest first. */
  conversations: ContactConversation[];
  created_at: string;
  updated_at?: string;
}

export interface ContactConversation {
  id: string;
  number_id: string;
  status: ConversationStatus | (string & {});
  opened_at: string;
  resolved_at: string | null;
  last_message_at?: string;
  last_message_preview: string | null;
}

/** A row of the contact directory (`GET /api/v1/contacts`). */
export interface ContactSummary {
  id: string;
  wa_id: string | null;
  bsuid: string | null;
  name: string | null;
  profile_name: string | null;
  email: string | null;
  opt_in: OptInState | (string & {});
  blocked: boolean;
  tags: ConversationTag[];
  created_at: string;
}

/** `PATCH /api/v1/contacts/{id}`: "" clears a text field; attributes replace the whole object. */
export interface ContactChanges {
  name?: string;
  email?: string;
  notes?: string;
  attributes?: ContactAttributes;
  opt_in?: OptInState;
}

/** A CSV import and its progress (`GET /api/v1/contacts/imports/{id}`). */
export interface ContactImport {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | (string & {});
  filename: string | null;
  total: number;
  processed: number;
  created: number;
  updated: number;
  failed: number;
  error: string | null;
  /** The first 1000 rows that could not be imported; `row` is the line in the file. */
  errors: { row: number; message: string }[];
  created_at: string;
  finished_at: string | null;
}

export interface ContactRef {
  id: string;
  /** The customer's WhatsApp id: phone digits with country code. */
  wa_id: string | null;
  name: string | null;
}

export interface Conversation {
  id: string;
  number_id: string;
  contact: ContactRef;
  status: ConversationStatus | (string & {});
  assignee_id: string | null;
  last_message_at: string;
  last_message_preview: string | null;
  last_inbound_at: string | null;
  window_expires_at: string | null;
  window_open: boolean;
  referral: unknown;
  opened_at: string;
  resolved_at: string | null;
  /** Inbound messages since an agent last opened the conversation (POST .../read resets it). */
  unread_count?: number;
  assignee_name?: string | null;
  // Issue 4 (team inbox). Optional: an older server does not send them.
  team_id?: string | null;
  team_name?: string | null;
  priority?: Priority | (string & {});
  snoozed_until?: string | null;
  tags?: ConversationTag[];
  /** The oldest inbound message not answered yet (null when the business spoke last). */
  waiting_since?: string | null;
  /** Other agents looking at it now. */
  viewers?: Viewer[];
  /** The SLA clock (null or absent: no policy applies, or an older server). */
  sla?: ConversationSla | null;
}

export type SlaStatus = 'on_track' | 'at_risk' | 'breached' | 'met';
export const SLA_STATUSES: SlaStatus[] = ['on_track', 'at_risk', 'breached', 'met'];
export type SlaTarget = 'first_response' | 'next_response' | 'resolution';

/** A conversation's SLA as people see it. */
export interface ConversationSla {
  status: SlaStatus | (string & {});
  policy_id: string | null;
  first_response_due_at: string | null;
  next_response_due_at: string | null;
  resolution_due_at: string | null;
  /** The targets missed in this period. */
  breaches: (SlaTarget | (string & {}))[];
}

export type Priority = 'none' | 'low' | 'medium' | 'high' | 'urgent';
export const PRIORITIES: Priority[] = ['none', 'low', 'medium', 'high', 'urgent'];

/** A tag on a conversation (`color`; the tag resource itself says `colour`). */
export interface ConversationTag {
  id: string;
  name: string;
  color?: string;
  colour?: string;
}

export interface Viewer {
  membership_id: string;
  name: string;
}

/** `PATCH /api/v1/conversations/{id}`: `assignee_id: null` returns it to the queue. */
export interface ConversationChanges {
  status?: 'open' | 'pending' | 'resolved' | 'snoozed';
  assignee_id?: string | null;
  /** Required with `status: "snoozed"`, a future time. */
  snoozed_until?: string;
  priority?: Priority;
  /** Transfer to a team (null: no team). */
  team_id?: string | null;
  /** A note recorded in the timeline with a transfer. */
  note?: string;
}

export interface Mention {
  type: 'agent' | 'team';
  id: string;
  name?: string;
}

export interface Mentionables {
  agents: { id: string; name: string }[];
  teams: { id: string; name: string }[];
}

export interface AppNotification {
  id: string;
  kind: 'mention' | 'assigned' | 'handover' | 'sla_warning' | 'sla_breach' | 'window_closing' | (string & {});
  conversation_id: string;
  message_id: string | null;
  actor_name: string | null;
  body: string;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPage extends Page<AppNotification> {
  unread_count: number;
}

export interface CannedResponse {
  id: string;
  shortcut: string;
  title: string | null;
  body: string;
  shared: boolean;
  owner_id: string | null;
  /** With `conversation_id`: the body with {{contact.name}}, {{agent.name}}, {{business.name}} filled in. */
  rendered?: string;
}

export interface CannedResponseInput {
  shortcut: string;
  title?: string;
  body: string;
  shared: boolean;
}

export type MessageStatus =
  | 'received'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'played'
  | 'failed';

export interface Message {
  id: string;
  conversation_id: string;
  /** `internal`: a note (`kind: "note"`) or an activity line (`kind: "activity"`), never sent. */
  direction: 'inbound' | 'outbound' | 'internal';
  /** text, image, video, audio, document, sticker, location, contacts, interactive, button,
   * reaction, order, system, revoke, edit, template, unsupported, or a type Chorus does not know. */
  kind: string;
  body: string | null;
  /** The normalised message (for inbound: Meta's message with `type`), `{}` for agents' texts. */
  content: Record<string, unknown> | null;
  wamid: string | null;
  reply_to_wamid: string | null;
  status: MessageStatus | (string & {});
  error_code: number | null;
  error_title: string | null;
  error_explanation: string | null;
  sender_type: 'contact' | 'agent' | 'bot' | 'system' | (string & {});
  sender_id: string | null;
  /** The agent's display name (agent messages) or the contact's name (inbound). */
  sender_name?: string | null;
  /** The file of an image, video, audio, document or sticker message. */
  media?: MediaRef | null;
  sent_at: string;
  status_at: string;
}

export type MediaStatus = 'pending' | 'ready' | 'failed';

/** A message's file. `url` is a short-lived signed path, null until `status` is ready. */
export interface MediaRef {
  id: string | null;
  status: MediaStatus | (string & {});
  mime_type: string | null;
  filename: string | null;
  size_bytes: number | null;
  url: string | null;
  error: string | null;
}

export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** `POST /api/v1/media` and `GET /api/v1/media/{id}`. */
export interface UploadedMedia {
  id: string;
  kind: MediaKind | null;
  mime_type: string | null;
  filename: string | null;
  size_bytes: number | null;
  sha256?: string | null;
  status: MediaStatus | (string & {});
  url: string | null;
  error?: string | null;
}

export interface ReplyButton {
  id: string;
  title: string;
}

export interface ListSection {
  title?: string;
  rows: { id: string; title: string; description?: string }[];
}

/** What `POST /api/v1/conversations/{id}/messages` takes (a missing `type` means text). */
export type SendBody =
  | { type?: 'text'; text: string; reply_to?: string; preview_url?: boolean }
  | { type: 'media'; media_id: string; caption?: string; reply_to?: string }
  | {
      type: 'template';
      template_id: string;
      header?: Record<string, string>;
      header_media_id?: string;
      body?: Record<string, string>;
      buttons?: Record<string, string>;
    }
  | { type: 'buttons'; body: string; buttons: ReplyButton[]; header?: string; footer?: string; reply_to?: string }
  | { type: 'list'; body: string; button: string; sections: ListSection[]; header?: string; footer?: string; reply_to?: string }
  /** `message_id` is the Chorus id of a message of the conversation; an empty emoji removes the reaction. */
  | { type: 'reaction'; message_id: string; emoji: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string; reply_to?: string };

// ---------- Templates ----------

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
export type HeaderFormat = 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';

/** One of Meta's template components (HEADER, BODY, FOOTER, BUTTONS). */
export interface TemplateComponent {
  type: string;
  format?: string;
  text?: string;
  buttons?: TemplateButton[];
  example?: unknown;
}

export interface TemplateButton {
  type: string;
  text: string;
  url?: string;
  phone_number?: string;
  example?: unknown;
}

export interface TemplateVariables {
  header: string[];
  header_format: HeaderFormat | (string & {}) | null;
  body: string[];
  buttons: { index: number; type: string; variables: string[] }[];
}

export interface Template {
  id: string;
  waba_id: string;
  name: string;
  language: string;
  status: TemplateStatus | (string & {});
  category: TemplateCategory | (string & {}) | null;
  parameter_format: 'positional' | 'named' | (string & {});
  components: TemplateComponent[];
  variables: TemplateVariables;
  rejected_reason: string | null;
  updated_at: string;
}

export interface NewTemplate {
  number_id: string;
  name: string;
  language: string;
  category: TemplateCategory;
  components: TemplateComponent[];
}

// ---------- Connecting numbers ----------

export interface EmbeddedSignupConfig {
  enabled: boolean;
  app_id: string | null;
  config_id: string | null;
  graph_version: string;
}

export interface EmbeddedSignupBody {
  code: string;
  waba_id: string;
  phone_number_id: string;
  pin: string;
}

export interface MetaApp {
  configured: boolean;
  app_id: string | null;
  /** The full callback URL to paste into the Meta App Dashboard. */
  webhook_url: string;
  verify_token_set: boolean;
}

export interface WebhookReceipt {
  messages: number;
  duplicates: number;
  statuses: number;
}

export interface SandboxMessage {
  from: string;
  name: string;
  text?: string;
  location?: { latitude: number; longitude: number; name?: string };
  button_reply?: { id: string; title: string };
  /** A row picked from a list the business sent. */
  list_reply?: { id: string; title: string };
  /** A picture uploaded with `POST /api/v1/media`. */
  image?: { media_id: string; caption?: string };
}

/** A weekday as the business-hours API writes it. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** An opening period, "HH:MM" local times; an end at or before the start runs past midnight. */
export interface HoursPeriod {
  day: Weekday | (string & {});
  start: string;
  end: string;
}

export interface Holiday {
  /** "YYYY-MM-DD", closed that whole local date. */
  date: string;
  name?: string | null;
}

/** `PUT /api/v1/business-hours` (no `number_id`: the business's; with it: that number's own). */
export interface HoursSettings {
  number_id?: string | null;
  /** IANA; absent or empty: the business's time zone. */
  time_zone?: string | null;
  periods: HoursPeriod[];
  holidays: Holiday[];
  greeting_enabled: boolean;
  greeting_text?: string | null;
  away_enabled: boolean;
  away_text?: string | null;
  /** 1-168, default 12. */
  away_cooldown_hours?: number | null;
}

/**
 * `GET/PUT /api/v1/settings/workflow` (docs/api.md "Workflow settings"); null switches one off.
 * `window_warning_minutes` 5-720 (default 60), `auto_resolve_after_hours` 1-720,
 * `auto_resolve_message` 1-1024 characters (trimmed).
 */
export interface WorkflowSettings {
  window_warning_minutes: number | null;
  auto_resolve_after_hours: number | null;
  auto_resolve_message: string | null;
}

/** `GET/PUT /api/v1/settings/opt-out-keywords`; PUT `null` restores the defaults, `[]` turns them off. */
export interface OptOutKeywords {
  keywords: string[];
}

/** One change of a contact's marketing consent (`GET /api/v1/contacts/{id}/consent`). */
export interface ConsentEvent {
  id: string;
  state: OptInState | (string & {});
  /** `keyword:<WORD>`, `meta:131050`, `agent`, `import`, … */
  source: string;
  message_id: string | null;
  created_at: string;
}

/** A dead job in the platform operator's console (`GET /api/v1/operator/jobs`). */
export interface FailedJob {
  id: string;
  tenant_id: string | null;
  job_type: string;
  state: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  run_at: string;
  created_at: string;
}

export interface FailedJobList {
  items: FailedJob[];
  total: number;
}

export interface HoursView {
  settings: HoursSettings;
  open_now: boolean;
  updated_at: string;
}

// Bots and the knowledge base (docs/api.md "Bots").

export interface ChoiceOption {
  title: string;
  /** Stored in the attribute (the title when absent). */
  value?: string | null;
  /** Jump to this step (0-based) instead of the next. */
  next_step?: number | null;
}

export type BotStep =
  | { type: 'greet'; text: string }
  | { type: 'ask_text'; prompt: string; pattern?: string | null; attribute?: string | null; retry_message?: string | null; max_retries?: number }
  | { type: 'ask_choice'; prompt: string; options: ChoiceOption[]; attribute?: string | null; button?: string | null; retry_message?: string | null; max_retries?: number }
  | { type: 'set_attribute'; key: string; value: string | number | boolean }
  | { type: 'add_tag'; tag_id: string }
  | { type: 'route_to_team'; team_id: string; message?: string | null }
  | { type: 'handover'; message?: string | null }
  | { type: 'answer_from_kb'; on_miss?: 'handover' | 'continue'; miss_message?: string | null };

export type BotStepType = BotStep['type'];

export interface Bot {
  id: string;
  /** null: the business default, for numbers without a bot of their own. */
  number_id: string | null;
  name: string;
  enabled: boolean;
  steps: BotStep[];
  kb_threshold: number;
  updated_at: string;
}

export interface BotInput {
  name: string;
  number_id?: string | null;
  enabled?: boolean;
  steps?: BotStep[];
  kb_threshold?: number;
}

export interface BotStats {
  bot_id: string;
  sessions: number;
  active: number;
  contained: number;
  handed_over: number;
  abandoned: number;
  containment_rate: number | null;
  handover_reasons: Record<string, number>;
}

export interface KbEntry {
  id: string;
  question: string;
  answer: string;
  keywords: string[];
  updated_at: string;
}

export interface KbEntryInput {
  question: string;
  answer: string;
  keywords?: string[];
}

export interface KbMatch {
  entry: KbEntry;
  /** 0..1: how sure the search is that this entry answers the text. */
  confidence: number;
}

export interface SuggestedReply {
  text: string;
  kb: KbMatch[];
}

// ---------- Reports (GET /reports/overview) ----------

/** Filters of a report; dates are YYYY-MM-DD in the business's time zone (absent: server default). */
export interface ReportQuery {
  from?: string;
  to?: string;
  number_id?: string;
  team_id?: string;
  agent_id?: string;
}

/** Mean, median and p90 in seconds (null when there were none; medians and p90s are histogram estimates). */
export interface DurationStat {
  mean_secs: number | null;
  median_secs: number | null;
  p90_secs: number | null;
}

export interface DurationStats {
  count: number;
  calendar: DurationStat;
  business_hours: DurationStat;
}

export interface ReportTotals {
  opened: number;
  reopened: number;
  resolved: number;
  messages_in: number;
  messages_out: number;
  bot_handled: number;
  bot_contained: number;
  bot_containment_rate: number | null;
  sla_met: number;
  sla_breached: number;
  sla_compliance: number | null;
  first_response: DurationStats;
  resolution: DurationStats;
}

export interface ReportDay {
  date: string;
  opened: number;
  reopened: number;
  resolved: number;
  messages_in: number;
  messages_out: number;
  first_response_median_secs: number | null;
  resolution_median_secs: number | null;
  /** Open at the end of the day (null for days still to come). */
  backlog: number | null;
}

export interface ReportHeatCell {
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** 0-23, the business's local time. */
  hour: number;
  opened: number;
  messages_in: number;
}

export interface ReportAgentRow {
  agent_id: string;
  name: string;
  resolved: number;
  messages_out: number;
  first_response: DurationStats;
  resolution: DurationStats;
}

export interface Report {
  from: string;
  to: string;
  time_zone: string;
  totals: ReportTotals;
  days: ReportDay[];
  heatmap: ReportHeatCell[];
  agents: ReportAgentRow[];
  open_now: number;
  /** When the figures were last brought up to date (they lag the inbox by up to 30 s). */
  rolled_up_at: string | null;
}

// ---------- Routing (GET /routing, /routing/rules) ----------

/** How a team's unassigned conversations are handed out. */
export type AssignmentMode = 'manual' | 'round_robin' | 'balanced';
export const ASSIGNMENT_MODES: AssignmentMode[] = ['manual', 'round_robin', 'balanced'];

export interface TeamRouting {
  team_id: string;
  name: string;
  assignment: AssignmentMode | (string & {});
  /** Take a conversation back from an assignee who has not answered within N minutes (null: never). */
  reassign_after_minutes: number | null;
}

export interface NumberRouting {
  number_id: string;
  display_phone_number: string;
  /** The team new conversations of this number join (null: none). */
  team_id: string | null;
}

export interface AgentCapacity {
  membership_id: string;
  name: string;
  /** Most open conversations the agent is given automatically (1-500). */
  max_open: number;
  open: number;
  presence: PresenceStatus | (string & {});
}

export interface RoutingView {
  teams: TeamRouting[];
  numbers: NumberRouting[];
  agents: AgentCapacity[];
}

/** One condition of a routing rule (a rule's conditions must ALL hold). Serde tag `type`. */
export type RuleCondition =
  | { type: 'keywords'; keywords: string[] }
  | { type: 'regex'; pattern: string }
  | { type: 'language'; language: 'en' | 'es' | (string & {}) }
  | { type: 'contact_tag'; tag_id: string }
  | { type: 'contact_attribute'; key: string; value: string | number | boolean }
  | { type: 'number'; number_id: string }
  | { type: 'ad_referral'; source_id?: string | null }
  | { type: 'business_hours'; when: 'inside' | 'outside' | (string & {}) };
export type RuleConditionType = RuleCondition['type'];

/** One action of a routing rule, applied in order. */
export type RuleAction =
  | { type: 'set_team'; team_id: string }
  | { type: 'add_tag'; tag_id: string }
  | { type: 'set_priority'; priority: Priority }
  | { type: 'assign'; membership_id: string }
  | { type: 'bot' };
export type RuleActionType = RuleAction['type'];

export interface RoutingRule {
  id: string;
  name: string;
  /** 1-based; the first enabled rule that matches a new conversation wins. */
  position: number;
  enabled: boolean;
  conditions: RuleCondition[];
  actions: RuleAction[];
  created_at: string;
  updated_at: string;
}

export interface RoutingRuleInput {
  name: string;
  enabled?: boolean;
  /** At most 20; none matches every new conversation. */
  conditions?: RuleCondition[];
  /** 1 to 10. */
  actions: RuleAction[];
}

/** Which conversations an SLA policy applies to (an empty list does not restrict). */
export interface SlaConditions {
  priorities: Priority[];
  tag_ids: string[];
  team_ids: string[];
  number_ids: string[];
}

/** What a breach does besides telling people. */
export interface SlaEscalation {
  /** Raise the priority to this (never lowers it). */
  raise_priority?: Priority | null;
  /** Move the conversation to this team. */
  team_id?: string | null;
  /** Also notify this member. */
  notify_membership_id?: string | null;
}

export interface SlaPolicy {
  id: string;
  name: string;
  /** 1-based; the first enabled matching policy applies. */
  position: number;
  enabled: boolean;
  conditions: SlaConditions;
  first_response_minutes: number | null;
  next_response_minutes: number | null;
  resolution_minutes: number | null;
  /** Count only the open time of the number's business hours. */
  business_hours: boolean;
  pause_when_pending: boolean;
  pause_when_snoozed: boolean;
  /** 1-99: the share of a target's time after which the conversation is at risk. */
  warn_percent: number;
  escalation: SlaEscalation;
  created_at: string;
  updated_at: string;
}

/** `POST /sla-policies` and `PUT /sla-policies/{id}` (a full replacement). */
export interface SlaPolicyInput {
  name: string;
  enabled: boolean;
  conditions: SlaConditions;
  first_response_minutes: number | null;
  next_response_minutes: number | null;
  resolution_minutes: number | null;
  business_hours: boolean;
  pause_when_pending: boolean;
  pause_when_snoozed: boolean;
  warn_percent: number;
  escalation: SlaEscalation;
}

/** The events an outgoing webhook endpoint may subscribe to (the server's list is authoritative). */
export const WEBHOOK_EVENTS = [
  'conversation.created',
  'conversation.assigned',
  'conversation.resolved',
  'message.created',
  'message.status',
  'contact.updated',
] as const;

/** A URL of the business's that Chorus POSTs signed events to (`/webhook-endpoints`). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  created_at: string;
  updated_at: string;
  last_success_at: string | null;
  last_failure_at: string | null;
}

/** `GET /webhook-endpoints`: the endpoints and every event name they may subscribe to. */
export interface WebhookEndpointList {
  items: WebhookEndpoint[];
  events: string[];
}

/** Create and rotate answer with the signing secret: shown only then. */
export interface WebhookEndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

export interface WebhookEndpointInput {
  url: string;
  description?: string;
  events: string[];
  enabled?: boolean;
}

/** PATCH: absent fields stay; an empty description removes it. */
export type WebhookEndpointChanges = Partial<{ url: string; description: string; events: string[]; enabled: boolean }>;

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';

/** One event sent (or to be sent) to one endpoint, with its last attempt. */
export interface WebhookDelivery {
  id: string;
  endpoint_id: string;
  /** The same for every endpoint and every retry: receivers de-duplicate on it. */
  event_id: string;
  event: string;
  state: WebhookDeliveryState;
  attempts: number;
  response_status: number | null;
  /** The first KiB of the receiver's answer, or why there was none. */
  response_excerpt: string | null;
  duration_ms: number | null;
  created_at: string;
  attempted_at: string | null;
  delivered_at: string | null;
  /** The event's `data`, as sent. */
  payload: unknown;
}
