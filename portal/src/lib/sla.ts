// A conversation's SLA clock as the inbox shows it: the soonest due time among the active
// targets, and a compact "12m" / "3h 5m" / "2d 4h" for how far away it is.
import type { ConversationSla } from '../api/types';

export type DueKind = 'reply' | 'resolve';

/** The soonest due time of an SLA (null when no target is running). */
export function soonestDue(sla: ConversationSla | null | undefined): { at: string; kind: DueKind } | null {
  if (!sla) return null;
  const candidates: { at: string; kind: DueKind }[] = [];
  if (sla.first_response_due_at) candidates.push({ at: sla.first_response_due_at, kind: 'reply' });
  if (sla.next_response_due_at) candidates.push({ at: sla.next_response_due_at, kind: 'reply' });
  if (sla.resolution_due_at) candidates.push({ at: sla.resolution_due_at, kind: 'resolve' });
  const valid = candidates.filter((c) => Number.isFinite(Date.parse(c.at)));
  if (valid.length === 0) return null;
  return valid.reduce((a, b) => (Date.parse(b.at) < Date.parse(a.at) ? b : a));
}

/** "45s" is never shown: under a minute is "1m"; then "12m", "3h", "3h 5m", "2d", "2d 4h". */
export function compactDuration(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 24) return rest ? `${hours}h ${rest}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${days}d ${h}h` : `${days}d`;
}

/** Minutes as hours and minutes for a form (null: empty). */
export function splitMinutes(total: number | null | undefined): { hours: string; minutes: string } {
  if (total == null) return { hours: '', minutes: '' };
  return { hours: String(Math.floor(total / 60)), minutes: String(total % 60) };
}

/** Hours and minutes typed in a form as minutes: null when both are empty, NaN when not whole numbers. */
export function joinMinutes(hours: string, minutes: string): number | null {
  const h = hours.trim();
  const m = minutes.trim();
  if (!h && !m) return null;
  const hn = h ? Number(h) : 0;
  const mn = m ? Number(m) : 0;
  if (!Number.isInteger(hn) || !Number.isInteger(mn) || hn < 0 || mn < 0) return NaN;
  return hn * 60 + mn;
}

/** "1h 30m" for a target in a policy's summary. */
export function describeMinutes(total: number): string {
  return compactDuration(total * 60_000);
}
