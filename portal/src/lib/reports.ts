// Helpers of the Reports page: date ranges in the business's time zone, human durations, the
// "is there anything to show" test, the heatmap grid and the per-agent table's sorting.
import type { TFunction } from 'i18next';
import type { DurationStat, DurationStats, Report, ReportAgentRow, ReportHeatCell } from '../api/types';
import i18n from '../i18n';

export const PRESETS = ['today', '7d', '30d', '90d', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];
const PRESET_DAYS: Record<Exclude<Preset, 'custom'>, number> = { today: 1, '7d': 7, '30d': 30, '90d': 90 };

/** Which duration figures the page shows. */
export type TimeBasis = 'calendar' | 'business_hours';

function lang(): string {
  return i18n.resolvedLanguage || i18n.language || 'en';
}

/** Today's date (YYYY-MM-DD) in an IANA time zone; the browser's zone if it is unknown. */
export function todayIn(timeZone: string | undefined, now: Date = new Date()): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** `day` (YYYY-MM-DD) moved by `n` days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The from/to of a preset ending today in the business's zone. */
export function presetRange(preset: Exclude<Preset, 'custom'>, timeZone: string | undefined, now: Date = new Date()) {
  const to = todayIn(timeZone, now);
  return { from: addDays(to, -(PRESET_DAYS[preset] - 1)), to };
}

export function isPreset(v: string | null): v is Preset {
  return v !== null && (PRESETS as readonly string[]).includes(v);
}

/**
 * "45 s", "4 min", "2 h 5 min", "14 h", "3 d 4 h", "12 d"; "—" for no value. Two units at most,
 * and from 10 hours (10 days) up only the larger one.
 */
export function formatDuration(t: TFunction, secs: number | null | undefined): string {
  if (secs == null || !Number.isFinite(secs)) return t('common.none');
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return t('reports.duration.seconds', { count: s });
  const minutes = Math.round(s / 60);
  if (minutes < 60) return t('reports.duration.minutes', { count: minutes });
  if (minutes < 10 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m ? t('reports.duration.hoursMinutes', { h, m }) : t('reports.duration.hours', { count: h });
  }
  const hours = Math.round(minutes / 60);
  if (hours < 24) return t('reports.duration.hours', { count: hours });
  if (hours >= 240) return t('reports.duration.days', { count: Math.round(hours / 24) });
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? t('reports.duration.daysHours', { d, h }) : t('reports.duration.days', { count: d });
}

/** Durations below the histograms' first edge (10 s) are only known to be under it. */
export const FIRST_EDGE_SECS = 10;

/**
 * A median or p90 read from a histogram: "≈ 4 min", or "< 10 s" inside the first bucket;
 * `exact` figures (a single duration) are shown as they are.
 */
export function formatEstimate(t: TFunction, secs: number | null | undefined, exact = false): { text: string; approx: boolean } {
  if (secs == null || !Number.isFinite(secs)) return { text: t('common.none'), approx: false };
  if (exact) return { text: formatDuration(t, secs), approx: false };
  if (secs < FIRST_EDGE_SECS) return { text: t('reports.underFirstEdge'), approx: false };
  return { text: formatDuration(t, secs), approx: true };
}

/** A short duration for chart axes: "45s", "12m", "3h", "2d". */
export function axisDuration(secs: number): string {
  if (!Number.isFinite(secs) || secs <= 0) return '0';
  if (secs < 60) return `${Math.round(secs)}s`;
  if (secs < 3600) {
    const m = secs / 60;
    return `${m < 10 ? Math.round(m * 10) / 10 : Math.round(m)}m`;
  }
  if (secs < 86400) return `${Math.round((secs / 3600) * 10) / 10}h`;
  return `${Math.round((secs / 86400) * 10) / 10}d`;
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(lang()).format(n);
}

/** 0.873 → "87.3%"; "—" for null. */
export function formatPercent(t: TFunction, ratio: number | null | undefined): string {
  if (ratio == null || !Number.isFinite(ratio)) return t('common.none');
  return new Intl.NumberFormat(lang(), { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

/** "Mar 4" for a YYYY-MM-DD day (the day itself, whatever the browser's zone). */
export function shortDay(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return new Intl.DateTimeFormat(lang(), { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(d);
}

/** "Tue, Mar 4, 2026" for a YYYY-MM-DD day. */
export function longDay(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return new Intl.DateTimeFormat(lang(), { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/** Short weekday names, Monday first (ISO: index 0 is weekday 1). */
export function weekdayNames(style: 'short' | 'long' = 'short'): string[] {
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, i) =>
    new Intl.DateTimeFormat(lang(), { weekday: style, timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 1 + i, 12))),
  );
}

/** "Updated 20 seconds ago" style relative time of an ISO instant (null: unknown). */
export function relativeTime(t: TFunction, iso: string | null | undefined, now: number): string | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  const secs = Math.round((now - at) / 1000);
  if (secs < 10) return t('reports.justNow');
  const rtf = new Intl.RelativeTimeFormat(lang(), { numeric: 'auto' });
  if (secs < 60) return rtf.format(-secs, 'second');
  const mins = Math.round(secs / 60);
  if (mins < 60) return rtf.format(-mins, 'minute');
  const hours = Math.round(mins / 60);
  if (hours < 48) return rtf.format(-hours, 'hour');
  return rtf.format(-Math.round(hours / 24), 'day');
}

/** Whether the range had any activity at all (else the page shows its empty state). */
export function hasActivity(r: Report): boolean {
  const x = r.totals;
  return (
    x.opened + x.reopened + x.resolved + x.messages_in + x.messages_out + x.bot_handled + x.sla_met + x.sla_breached > 0 ||
    r.agents.length > 0
  );
}

export function pick(stats: DurationStats, basis: TimeBasis): DurationStat {
  return basis === 'business_hours' ? stats.business_hours : stats.calendar;
}

/** A single duration is its own median and p90, and its mean is exact. */
export function isSingle(stats: DurationStats, basis: TimeBasis): boolean {
  return stats.count === 1 && pick(stats, basis).mean_secs !== null;
}

/** The median to show (the exact value for a single duration). */
export function medianOf(stats: DurationStats, basis: TimeBasis): number | null {
  const s = pick(stats, basis);
  return isSingle(stats, basis) ? s.mean_secs : s.median_secs;
}

export type HeatMetric = 'opened' | 'messages_in';

/** A 7 × 24 grid (weekday 1..7 × hour 0..23) of one metric, and its largest value. */
export function heatGrid(cells: ReportHeatCell[], metric: HeatMetric): { grid: number[][]; max: number } {
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  let max = 0;
  for (const c of cells) {
    if (c.weekday < 1 || c.weekday > 7 || c.hour < 0 || c.hour > 23) continue;
    grid[c.weekday - 1][c.hour] += c[metric];
    max = Math.max(max, grid[c.weekday - 1][c.hour]);
  }
  return { grid, max };
}

export type AgentSortKey = 'name' | 'resolved' | 'messages_out' | 'first_response' | 'resolution';
export interface AgentSort {
  key: AgentSortKey;
  dir: 'asc' | 'desc';
}

/** The agents table in the chosen order; rows without a figure go last either way. */
export function sortAgents(rows: ReportAgentRow[], sort: AgentSort, basis: TimeBasis): ReportAgentRow[] {
  const value = (r: ReportAgentRow): number | string | null => {
    switch (sort.key) {
      case 'name':
        return r.name;
      case 'resolved':
        return r.resolved;
      case 'messages_out':
        return r.messages_out;
      case 'first_response':
        return medianOf(r.first_response, basis);
      case 'resolution':
        return medianOf(r.resolution, basis);
    }
  };
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null && vb === null) return a.name.localeCompare(b.name);
    if (va === null) return 1;
    if (vb === null) return -1;
    const c = typeof va === 'string' ? va.localeCompare(String(vb), lang(), { sensitivity: 'base' }) : va - (vb as number);
    return c !== 0 ? c * sign : a.name.localeCompare(b.name);
  });
}
