import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import type { ReportAgentRow } from '../api/types';
import { addDays, axisDuration, formatDuration, formatEstimate, formatPercent, hasActivity, heatGrid, presetRange, relativeTime, sortAgents, todayIn, weekdayNames } from './reports';

const t = i18n.t.bind(i18n);

describe('report helpers', () => {
  it('formats durations humanly', () => {
    expect([0, 45, 59.6, 240, 3540, 3599, 3600, 7500, 35_940, 36_000, 43_000, 86_399, 86_400, 270_000, 842_400, 1_209_600].map((s) => formatDuration(t, s))).toEqual([
      '0 s',
      '45 s',
      '1 min',
      '4 min',
      '59 min',
      '1 h',
      '1 h',
      '2 h 5 min',
      '9 h 59 min',
      '10 h',
      '12 h',
      '1 d',
      '1 d',
      '3 d 3 h',
      '9 d 18 h',
      '14 d',
    ]);
    expect(formatDuration(t, null)).toBe('—');
    expect([30, 90, 270, 600, 5400, 172_800].map(axisDuration)).toEqual(['30s', '1.5m', '4.5m', '10m', '1.5h', '2d']);
    expect(formatPercent(t, 0.8734)).toBe('87.3%');
    expect(formatPercent(t, null)).toBe('—');
    // Histogram estimates: "≈" from 10 s up, only "under 10 s" below; exact figures as they are.
    expect(formatEstimate(t, 240)).toEqual({ text: '4 min', approx: true });
    expect(formatEstimate(t, 5)).toEqual({ text: '< 10 s', approx: false });
    expect(formatEstimate(t, 5, true)).toEqual({ text: '5 s', approx: false });
    expect(formatEstimate(t, null)).toEqual({ text: '—', approx: false });
  });

  it('computes the presets in the business’s time zone', () => {
    // 23:30 UTC on 31 Jan is already 1 Feb in Madrid and still 31 Jan in New York.
    const at = new Date('2026-01-31T23:30:00Z');
    expect(todayIn('Europe/Madrid', at)).toBe('2026-02-01');
    expect(todayIn('America/New_York', at)).toBe('2026-01-31');
    expect(presetRange('today', 'Europe/Madrid', at)).toEqual({ from: '2026-02-01', to: '2026-02-01' });
    expect(presetRange('7d', 'Europe/Madrid', at)).toEqual({ from: '2026-01-26', to: '2026-02-01' });
    expect(presetRange('30d', 'UTC', at)).toEqual({ from: '2026-01-02', to: '2026-01-31' });
    expect(presetRange('90d', 'UTC', at)).toEqual({ from: '2025-11-03', to: '2026-01-31' });
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    // An unknown zone falls back to the browser's instead of breaking the page.
    expect(todayIn('Not/AZone', at)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('names weekdays from Monday and says how long ago', () => {
    expect(weekdayNames()).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    const now = Date.parse('2026-03-04T12:00:00Z');
    expect(relativeTime(t, '2026-03-04T11:59:55Z', now)).toBe('just now');
    expect(relativeTime(t, '2026-03-04T11:59:15Z', now)).toBe('45 seconds ago');
    expect(relativeTime(t, '2026-03-04T11:58:00Z', now)).toBe('2 minutes ago');
    expect(relativeTime(t, null, now)).toBeNull();
  });

  it('adds the heatmap up per weekday and hour', () => {
    const { grid, max } = heatGrid(
      [
        { weekday: 1, hour: 0, opened: 2, messages_in: 5 },
        { weekday: 7, hour: 23, opened: 1, messages_in: 9 },
        { weekday: 8, hour: 3, opened: 9, messages_in: 99 },
      ],
      'messages_in',
    );
    expect(grid).toHaveLength(7);
    expect(grid[0]).toHaveLength(24);
    expect(grid[0][0]).toBe(5);
    expect(grid[6][23]).toBe(9);
    expect(max).toBe(9);
  });

  it('sorts agents with missing figures last in both directions', () => {
    const d = (median: number | null) => ({
      count: median === null ? 0 : 1,
      calendar: { mean_secs: median, median_secs: median, p90_secs: median },
      business_hours: { mean_secs: null, median_secs: median === null ? null : median / 2, p90_secs: null },
    });
    const row = (name: string, median: number | null): ReportAgentRow => ({ agent_id: name, name, resolved: 1, messages_out: 1, first_response: d(median), resolution: d(null) });
    const rows = [row('b', 10), row('a', null), row('c', 5)];
    const names = (r: ReportAgentRow[]) => r.map((x) => x.name);
    expect(names(sortAgents(rows, { key: 'first_response', dir: 'asc' }, 'calendar'))).toEqual(['c', 'b', 'a']);
    expect(names(sortAgents(rows, { key: 'first_response', dir: 'desc' }, 'business_hours'))).toEqual(['b', 'c', 'a']);
    expect(names(sortAgents(rows, { key: 'name', dir: 'desc' }, 'calendar'))).toEqual(['c', 'b', 'a']);
    // Ties keep a stable, readable order.
    expect(names(sortAgents(rows, { key: 'resolved', dir: 'desc' }, 'calendar'))).toEqual(['a', 'b', 'c']);
  });

  it('knows an empty range', () => {
    const zero = { count: 0, calendar: { mean_secs: null, median_secs: null, p90_secs: null }, business_hours: { mean_secs: null, median_secs: null, p90_secs: null } };
    const totals = { opened: 0, reopened: 0, resolved: 0, messages_in: 0, messages_out: 0, bot_handled: 0, bot_contained: 0, bot_containment_rate: null, sla_met: 0, sla_breached: 0, sla_compliance: null, first_response: zero, resolution: zero };
    const report = { from: 'x', to: 'x', time_zone: 'UTC', totals, days: [], heatmap: [], agents: [], open_now: 4, rolled_up_at: null };
    expect(hasActivity(report)).toBe(false);
    expect(hasActivity({ ...report, totals: { ...totals, messages_in: 1 } })).toBe(true);
  });
});
