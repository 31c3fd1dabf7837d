import type { TFunction } from 'i18next';
import i18n from '../i18n';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function lang(): string {
  return i18n.resolvedLanguage || i18n.language || 'en';
}

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Compact "how long ago" for lists: "now", "5 min", "3 h", "Yesterday", "Nov 20", "Nov 20, 2025". */
export function shortAgo(t: TFunction, iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const diff = now - at;
  if (diff < MINUTE) return t('time.now');
  if (diff < HOUR) return t('time.minutes', { count: Math.floor(diff / MINUTE) });
  if (diff < 24 * HOUR && startOfDay(at) === startOfDay(now)) return t('time.hours', { count: Math.floor(diff / HOUR) });
  if (startOfDay(at) === startOfDay(startOfDay(now) - 1)) return t('time.yesterday');
  const sameYear = new Date(at).getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(lang(), sameYear ? { month: 'short', day: 'numeric' } : { dateStyle: 'medium' }).format(at);
}

/** "14:05" in the UI language. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(lang(), { hour: 'numeric', minute: '2-digit' }).format(d);
}

/** Full date and time, for tooltips. */
export function fullDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(lang(), { dateStyle: 'full', timeStyle: 'short' }).format(d);
}

/** Day separator of a thread: "Today", "Yesterday" or the date. */
export function dayLabel(t: TFunction, iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const day = startOfDay(at);
  if (day === startOfDay(now)) return t('time.today');
  if (day === startOfDay(startOfDay(now) - 1)) return t('time.yesterday');
  return new Intl.DateTimeFormat(lang(), { dateStyle: 'long' }).format(at);
}

export function dayKey(iso: string): number {
  return startOfDay(Date.parse(iso));
}

/** "5 minutes ago" / "hace 5 minutos" in the UI language (Intl.RelativeTimeFormat). */
export function timeAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const seconds = Math.round((at - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang(), { numeric: 'auto' });
  const abs = Math.abs(seconds);
  // Seconds are counted ("12 seconds ago"); a clock a little ahead still reads as the past.
  if (abs < 45) return new Intl.RelativeTimeFormat(lang(), { numeric: 'always' }).format(Math.min(seconds, -1), 'second');
  if (abs < 45 * 60) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return rtf.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400) return rtf.format(Math.round(seconds / 86400), 'day');
  if (abs < 320 * 86400) return rtf.format(Math.round(seconds / (30 * 86400)), 'month');
  return rtf.format(Math.round(seconds / (365 * 86400)), 'year');
}
