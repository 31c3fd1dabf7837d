// Supervision endpoints of docs/api.md ("Reports": the floor; "Satisfaction (CSAT) and number
// quality"). Kept in their own module so pages import them directly.
import { api } from './index';
import type { PresenceStatus } from './types';

const q = encodeURIComponent;

/** One active member on the floor: presence and open load. */
export interface FloorAgent {
  membership_id: string;
  name: string;
  status: PresenceStatus | (string & {});
  /** Conversations assigned to them and not resolved. */
  open: number;
  /** Of those, waiting for our reply. */
  waiting: number;
}

/** `GET /api/v1/reports/floor`: the floor now, read live. */
export interface Floor {
  open: number;
  unassigned: number;
  waiting: number;
  oldest_waiting_since: string | null;
  pending: number;
  snoozed: number;
  sla_at_risk: number;
  sla_breached: number;
  online: number;
  away: number;
  offline: number;
  /** People online first, then by load. */
  agents: FloorAgent[];
  at: string;
}

export interface FailureCode {
  code: number | null;
  /** Meta's title. */
  title: string | null;
  /** Ours, in the reader's language. */
  explanation: string;
  count: number;
}

/** `GET /api/v1/numbers/{id}/quality`. */
export interface NumberQuality {
  number_id: string;
  display_phone_number: string;
  /** GREEN, YELLOW, RED or UNKNOWN (null before Meta says). */
  quality_rating: string | null;
  messaging_limit: string | null;
  status: string;
  since: string;
  sent: number;
  failed: number;
  failure_rate: number | null;
  /** Most frequent first. */
  by_code: FailureCode[];
}

export interface CsatSettings {
  enabled: boolean;
  /** Null: the default question in the business's language. */
  question: string | null;
  /** An approved template for after the 24-hour window; null: no survey then. */
  template_id: string | null;
}

export interface CsatSurvey {
  id: string;
  channel: 'list' | 'template' | (string & {});
  sent_at: string;
  score: number | null;
  answered_at: string | null;
  comment: string | null;
}

export const floor = {
  get: (teamId?: string | null) => api.get<Floor>(`/api/v1/reports/floor${teamId ? `?team_id=${q(teamId)}` : ''}`),
};

export const numberQuality = {
  get: (numberId: string, hours = 24) => api.get<NumberQuality>(`/api/v1/numbers/${q(numberId)}/quality?hours=${hours}`),
};

export const csat = {
  get: () => api.get<CsatSettings>('/api/v1/settings/csat'),
  save: (body: CsatSettings) => api.put<CsatSettings>('/api/v1/settings/csat', body),
  /** The conversation's surveys, newest first. */
  surveys: (conversationId: string) =>
    api.get<{ items: CsatSurvey[] }>(`/api/v1/conversations/${q(conversationId)}/csat`).then((p) => p.items),
};
