// WhatsApp's customer service window: free-form messages are allowed until
// `window_expires_at` (24 h after the customer's last message, 72 h after an ad click); after
// that only templates can be sent.
import type { TFunction } from 'i18next';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface WindowState {
  open: boolean;
  /** Milliseconds left (0 when closed). */
  remainingMs: number;
  /** Less than an hour left. */
  closingSoon: boolean;
}

/** Computed against the local clock so the countdown keeps moving between reloads. */
export function windowState(expiresAt: string | null | undefined, now: number): WindowState {
  const end = expiresAt ? Date.parse(expiresAt) : NaN;
  const remainingMs = Number.isNaN(end) ? 0 : Math.max(0, end - now);
  return { open: remainingMs > 0, remainingMs, closingSoon: remainingMs > 0 && remainingMs < HOUR };
}

/** "3 h 12 min", "3 h", "12 min", "less than a minute". */
export function formatRemaining(t: TFunction, ms: number): string {
  if (ms < MINUTE) return t('inbox.window.lessThanMinute');
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (hours === 0) return t('inbox.window.minutes', { minutes });
  if (minutes === 0) return t('inbox.window.hours', { hours });
  return t('inbox.window.hoursMinutes', { hours, minutes });
}

/** "Window closes in 3 h 12 min" or "Window closed: only templates can be sent". */
export function windowLabel(t: TFunction, expiresAt: string | null | undefined, now: number): string {
  const w = windowState(expiresAt, now);
  return w.open ? t('inbox.window.closesIn', { time: formatRemaining(t, w.remainingMs) }) : t('inbox.window.closed');
}
