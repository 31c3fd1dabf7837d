import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../../../api';
import { addDays, presetRange } from '../../../lib/reports';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { AppShell } from '../../../components/AppShell';
import { ReportsPage } from './ReportsPage';

const dur = (count: number, cal: [number, number, number] | null, bh: [number, number, number] | null) => ({
  count,
  calendar: cal ? { mean_secs: cal[0], median_secs: cal[1], p90_secs: cal[2] } : { mean_secs: null, median_secs: null, p90_secs: null },
  business_hours: bh ? { mean_secs: bh[0], median_secs: bh[1], p90_secs: bh[2] } : { mean_secs: null, median_secs: null, p90_secs: null },
});

const day = (date: string, extra: Record<string, unknown> = {}) => ({
  date,
  opened: 0,
  reopened: 0,
  resolved: 0,
  messages_in: 0,
  messages_out: 0,
  first_response_median_secs: null,
  resolution_median_secs: null,
  backlog: 3,
  ...extra,
});

function fullReport(from: string, to: string) {
  return {
    from,
    to,
    time_zone: 'Europe/Madrid',
    totals: {
      opened: 12,
      reopened: 2,
      resolved: 9,
      messages_in: 1240,
      messages_out: 35,
      bot_handled: 4,
      bot_contained: 3,
      bot_containment_rate: 0.75,
      sla_met: 9,
      sla_breached: 1,
      sla_compliance: 0.9,
      // calendar: mean 5 min, median 4 min, p90 2 h 5 min; business hours: 90 s, 2 min, 20 min
      first_response: dur(10, [300, 240, 7500], [90, 120, 1200]),
      resolution: dur(9, [300_000, 259_200, 302_400], [36_000, 28_800, 72_000]),
    },
    days: [day(addDays(to, -1), { opened: 5, resolved: 4, messages_in: 600, messages_out: 15, first_response_median_secs: 200 }), day(to, { opened: 7, reopened: 2, resolved: 5, messages_in: 640, messages_out: 20, first_response_median_secs: 260, backlog: 5 })],
    heatmap: [
      { weekday: 1, hour: 9, opened: 4, messages_in: 30 },
      { weekday: 3, hour: 14, opened: 8, messages_in: 1210 },
    ],
    agents: [
      { agent_id: 'm-bo', name: 'Bo Berg', resolved: 6, messages_out: 20, first_response: dur(6, [200, 180, 400], [100, 60, 200]), resolution: dur(6, [7200, 3600, 9000], [1800, 900, 3000]) },
      { agent_id: 'm-ana', name: 'Ana Álvarez', resolved: 3, messages_out: 15, first_response: dur(4, [500, 600, 900], [300, 30, 400]), resolution: dur(3, [90_000, 86_400, 99_000], [7200, 5400, 9000]) },
      { agent_id: 'm-cy', name: 'Cy Cole', resolved: 0, messages_out: 0, first_response: dur(0, null, null), resolution: dur(0, null, null) },
    ],
    open_now: 5,
    rolled_up_at: new Date(Date.now() - 20_000).toISOString(),
  };
}

const number = { id: 'n1', phone_number_id: '1', waba_id: 'w', display_phone_number: '15550000000', verified_name: 'Acme Support', quality_rating: null, messaging_limit: null, throughput_per_second: 80, status: 'connected', sandbox: false, created_at: '2026-01-01T00:00:00Z' };
const team = { id: 'tm-vip', name: 'VIP desk', member_ids: [], created_at: '2026-01-01T00:00:00Z' };
const agent = (id: string, name: string) => ({ id, user_id: `u-${id}`, name, email: `${id}@x.com`, role: { id: 'r', name: 'agent' }, status: 'active', team_ids: [], created_at: '2026-01-01T00:00:00Z' });

type Handler = (params: URLSearchParams) => Response;

function server(opts: { overview?: Handler; csv?: Handler; agents?: () => Response } = {}) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    void init;
    const u = new URL(url, 'http://x');
    const path = u.pathname;
    if (path === '/api/v1/reports/overview') {
      if (opts.overview) return opts.overview(u.searchParams);
      return jsonResponse(200, fullReport(u.searchParams.get('from')!, u.searchParams.get('to')!));
    }
    if (path === '/api/v1/reports/overview.csv') {
      if (opts.csv) return opts.csv(u.searchParams);
      return new Response('date,opened\ntotal,12\n', {
        status: 200,
        headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="chorus-report-a-b.csv"' },
      });
    }
    if (path === '/api/v1/numbers') return jsonResponse(200, { items: [number], next_cursor: null });
    if (path === '/api/v1/teams') return jsonResponse(200, { items: [team], next_cursor: null });
    if (path === '/api/v1/agents') {
      if (opts.agents) return opts.agents();
      return jsonResponse(200, { items: [agent('m-bo', 'Bo Berg'), agent('m-ana', 'Ana Álvarez')], next_cursor: null });
    }
    if (path === '/api/v1/mentionables') return jsonResponse(200, { agents: [{ id: 'm-zed', name: 'Zed Zorro' }], teams: [] });
    return jsonResponse(404, { error: { code: 'not_found', message: path } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

/** The query strings sent to GET /reports/overview, in order. */
const overviewCalls = (fn: ReturnType<typeof server>) =>
  fn.mock.calls.map(([u]) => new URL(String(u), 'http://x')).filter((u) => u.pathname === '/api/v1/reports/overview').map((u) => u.searchParams);

const supervisor = () => fakeSession({ me: fakeMe(['reports:view', 'teams:manage']) });
const text = (testId: string) => screen.getByTestId(testId).textContent;

describe('ReportsPage', () => {
  afterEach(() => {
    api.setSession(null);
    vi.unstubAllGlobals();
  });

  it('is off limits without reports:view', () => {
    const fn = server();
    renderPage(<ReportsPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    expect(screen.getByText('No access')).toBeTruthy();
    expect(fn).not.toHaveBeenCalled();
  });

  it('shows the figures on the cards, the agents and the heatmap; the last 7 days by default', async () => {
    const fn = server();
    renderPage(<ReportsPage />, { session: supervisor() });
    await screen.findByTestId('report');
    const week = presetRange('7d', 'UTC');
    expect(overviewCalls(fn)[0].toString()).toBe(`from=${week.from}&to=${week.to}`);

    expect(text('kpi-opened-value')).toBe('12');
    expect(text('kpi-resolved-value')).toBe('9');
    expect(text('kpi-reopened-value')).toBe('2');
    expect(text('kpi-open-now-value')).toBe('5');
    expect(text('kpi-messages-in-value')).toBe('1,240');
    expect(text('kpi-messages-out-value')).toBe('35');
    expect(text('kpi-first-response-value')).toBe('≈4 min');
    expect(screen.getByTestId('kpi-first-response').querySelector('.kpi-unit')!.textContent).toBe('median');
    expect(text('kpi-first-response-mean')).toBe('Mean 5 min');
    expect(text('kpi-first-response-p90')).toBe('p90 ≈2 h 5 min');
    expect(screen.getByTestId('kpi-first-response').textContent).toContain('From 10 conversations');
    expect(text('kpi-resolution-value')).toBe('≈3 d');
    expect(text('kpi-resolution-mean')).toBe('Mean 3 d 11 h');
    expect(text('kpi-resolution-p90')).toBe('p90 ≈3 d 12 h');
    expect(text('kpi-bot-value')).toBe('75%');
    expect(screen.getByTestId('kpi-bot').textContent).toContain('3 of 4 solved by a bot alone');
    expect(text('kpi-sla-value')).toBe('90%');
    expect(screen.getByTestId('kpi-sla').textContent).toContain('9 met · 1 breached');
    // Estimates say so.
    expect(screen.getAllByTitle(/exact to within one 30%-wide bucket/).length).toBeGreaterThan(0);
    expect(text('report-updated')).toBe('Updated 20 seconds ago');

    // Busiest first, as the server sends them; durations humanly.
    const rows = screen.getAllByTestId('agent-row');
    expect(rows.map((r) => r.querySelector('td')!.textContent)).toEqual(['Bo Berg', 'Ana Álvarez', 'Cy Cole']);
    expect([...rows[0].querySelectorAll('td')].map((c) => c.textContent)).toEqual(['Bo Berg', '6', '20', '3 min', '1 h']);
    expect([...rows[2].querySelectorAll('td')].map((c) => c.textContent)).toEqual(['Cy Cole', '0', '0', '—', '—']);

    // The heatmap: weekdays and hours labelled, cells coloured by intensity, in the business's zone.
    const heat = screen.getByTestId('heatmap');
    expect(heat.textContent).toContain('Europe/Madrid');
    expect(within(heat).getByRole('rowheader', { name: 'Mon' })).toBeTruthy();
    expect(within(heat).getByRole('columnheader', { name: '09' })).toBeTruthy();
    const busiest = heat.querySelector('td[data-value="1210"]') as HTMLElement;
    expect(busiest.getAttribute('title')).toBe('Wednesday, 14:00–15:00: 1,210 messages received');
    expect(busiest.style.backgroundColor).toBe('rgb(15, 118, 110)');
    fireEvent.click(within(heat).getByRole('button', { name: 'Conversations opened' }));
    expect(heat.querySelector('td[data-value="8"]')!.getAttribute('title')).toBe('Wednesday, 14:00–15:00: 8 conversations opened');

    // The charts are there.
    for (const id of ['chart-conversations', 'chart-messages', 'chart-first-response', 'chart-backlog']) expect(screen.getByTestId(id)).toBeTruthy();
  });

  it('switches the duration figures between calendar time and business hours', async () => {
    server();
    renderPage(<ReportsPage />, { session: supervisor() });
    await screen.findByTestId('report');
    expect(screen.getByRole('button', { name: 'Calendar time' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Business hours' }));
    expect(screen.getByRole('button', { name: 'Business hours' }).getAttribute('aria-pressed')).toBe('true');
    expect(text('kpi-first-response-value')).toBe('≈2 min');
    expect(text('kpi-first-response-mean')).toBe('Mean 2 min');
    expect(text('kpi-first-response-p90')).toBe('p90 ≈20 min');
    expect(text('kpi-resolution-value')).toBe('≈8 h');
    expect(text('kpi-resolution-mean')).toBe('Mean 10 h');
    expect(text('kpi-resolution-p90')).toBe('p90 ≈20 h');
    const bo = screen.getAllByTestId('agent-row')[0];
    expect([...bo.querySelectorAll('td')].map((c) => c.textContent)).toEqual(['Bo Berg', '6', '20', '1 min', '15 min']);
    fireEvent.click(screen.getByRole('button', { name: 'Calendar time' }));
    expect(text('kpi-first-response-value')).toBe('≈4 min');
  });

  it('shows a single duration exactly, and estimates under 10 s as "< 10 s"', async () => {
    server({
      overview: (p) => {
        const r = fullReport(p.get('from')!, p.get('to')!);
        return jsonResponse(200, {
          ...r,
          totals: { ...r.totals, first_response: dur(1, [42, 45.5, 49.4], [42, 45.5, 49.4]), resolution: dur(3, [4, 5, 9], [4, 5, 9]) },
        });
      },
    });
    renderPage(<ReportsPage />, { session: supervisor() });
    await screen.findByTestId('report');
    expect(text('kpi-first-response-value')).toBe('42 s');
    expect(text('kpi-first-response-p90')).toBe('p90 42 s');
    expect(screen.getByTestId('kpi-first-response').textContent).toContain('From 1 conversation');
    expect(text('kpi-resolution-value')).toBe('< 10 s');
    expect(text('kpi-resolution-mean')).toBe('Mean 4 s');
    expect(text('kpi-resolution-p90')).toBe('p90 < 10 s');
  });

  it('sorts the agents table by any column, empty figures last', async () => {
    server();
    renderPage(<ReportsPage />, { session: supervisor() });
    await screen.findByTestId('report');
    const names = () => screen.getAllByTestId('agent-row').map((r) => r.querySelector('td')!.textContent);
    fireEvent.click(screen.getByRole('button', { name: 'Sort by Agent' }));
    expect(names()).toEqual(['Ana Álvarez', 'Bo Berg', 'Cy Cole']);
    expect(screen.getByRole('button', { name: 'Sort by Agent' }).closest('th')!.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(screen.getByRole('button', { name: 'Sort by Agent' }));
    expect(names()).toEqual(['Cy Cole', 'Bo Berg', 'Ana Álvarez']);
    fireEvent.click(screen.getByRole('button', { name: 'Sort by First response' }));
    expect(names()).toEqual(['Ana Álvarez', 'Bo Berg', 'Cy Cole']); // slowest first; no figure last
    fireEvent.click(screen.getByRole('button', { name: 'Sort by First response' }));
    expect(names()).toEqual(['Bo Berg', 'Ana Álvarez', 'Cy Cole']);
    fireEvent.click(screen.getByRole('button', { name: 'Sort by Resolution' }));
    expect(names()).toEqual(['Ana Álvarez', 'Bo Berg', 'Cy Cole']);
    fireEvent.click(screen.getByRole('button', { name: 'Sort by Messages sent' }));
    expect(names()).toEqual(['Bo Berg', 'Ana Álvarez', 'Cy Cole']);
    fireEvent.click(screen.getByRole('button', { name: 'Sort by Resolved' }));
    expect(names()).toEqual(['Bo Berg', 'Ana Álvarez', 'Cy Cole']);
    fireEvent.click(screen.getByRole('button', { name: 'Sort by Resolved' }));
    expect(names()).toEqual(['Cy Cole', 'Ana Álvarez', 'Bo Berg']);
  });

  it('sends the filters in the query string: presets, custom dates, number, team and agent', async () => {
    const fn = server();
    renderPage(<ReportsPage />, { session: supervisor() });
    await screen.findByTestId('report');
    // The lists come from the endpoints the portal already uses.
    await within(screen.getByLabelText('Number')).findByText('Acme Support · +1 555 000 0000');
    await within(screen.getByLabelText('Team')).findByText('VIP desk');
    await within(screen.getByLabelText('Agent')).findByText('Ana Álvarez');

    fireEvent.change(screen.getByLabelText('Date range'), { target: { value: '30d' } });
    const month = presetRange('30d', 'UTC');
    await waitFor(() => expect(overviewCalls(fn).at(-1)!.toString()).toBe(`from=${month.from}&to=${month.to}`));
    expect(month.from).toBe(addDays(month.to, -29));

    fireEvent.change(screen.getByLabelText('Date range'), { target: { value: 'today' } });
    await waitFor(() => expect(overviewCalls(fn).at(-1)!.get('from')).toBe(month.to));
    expect(overviewCalls(fn).at(-1)!.get('to')).toBe(month.to);

    fireEvent.change(screen.getByLabelText('Number'), { target: { value: 'n1' } });
    await waitFor(() => expect(overviewCalls(fn).at(-1)!.get('number_id')).toBe('n1'));
    fireEvent.change(screen.getByLabelText('Team'), { target: { value: 'tm-vip' } });
    await waitFor(() => expect(overviewCalls(fn).at(-1)!.get('team_id')).toBe('tm-vip'));
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: 'm-ana' } });
    await waitFor(() => expect(overviewCalls(fn).at(-1)!.get('agent_id')).toBe('m-ana'));
    expect(overviewCalls(fn).at(-1)!.toString()).toBe(`from=${month.to}&to=${month.to}&number_id=n1&team_id=tm-vip&agent_id=m-ana`);

    // Custom: starts from the range shown, then the typed days.
    fireEvent.change(screen.getByLabelText('Date range'), { target: { value: 'custom' } });
    expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe(month.to);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-01-01' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-01-31' } });
    await waitFor(() => expect(overviewCalls(fn).at(-1)!.get('to')).toBe('2026-01-31'));
    expect(overviewCalls(fn).at(-1)!.get('from')).toBe('2026-01-01');
    expect(overviewCalls(fn).at(-1)!.get('agent_id')).toBe('m-ana');

    // Back to all agents: the filter leaves the query.
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: '' } });
    await waitFor(() => expect(overviewCalls(fn).at(-1)!.has('agent_id')).toBe(false));
  });

  it('falls back to the mentionable people when the agents list is not allowed', async () => {
    server({ agents: () => jsonResponse(403, { error: { code: 'forbidden', message: 'No.' } }) });
    renderPage(<ReportsPage />, { session: fakeSession({ me: fakeMe(['reports:view']) }) });
    await screen.findByTestId('report');
    await within(screen.getByLabelText('Agent')).findByText('Zed Zorro');
    // People of the report are offered too.
    expect(within(screen.getByLabelText('Agent')).getByText('Bo Berg')).toBeTruthy();
  });

  it('downloads the CSV of the same query with the bearer token', async () => {
    const fn = server();
    api.setSession({ access_token: 'tok-123', token_type: 'Bearer', expires_in: 900, tenant_id: 't1', membership_id: 'm1' });
    const createObjectURL = vi.fn(() => 'blob:report');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const clicked: { href: string; download: string }[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download });
    });
    renderPage(<ReportsPage />, { session: supervisor() });
    await screen.findByTestId('report');
    fireEvent.change(screen.getByLabelText('Date range'), { target: { value: '90d' } });
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    await screen.findByText('Report downloaded.');
    const call = fn.mock.calls.find(([u]) => new URL(String(u), 'http://x').pathname === '/api/v1/reports/overview.csv')!;
    const q = presetRange('90d', 'UTC');
    expect(new URL(String(call[0]), 'http://x').search).toBe(`?from=${q.from}&to=${q.to}`);
    expect((call[1]!.headers as Record<string, string>).Authorization).toBe('Bearer tok-123');
    expect(createObjectURL).toHaveBeenCalledTimes(1);
    expect(await (createObjectURL.mock.calls[0] as unknown as [Blob])[0].text()).toBe('date,opened\ntotal,12\n');
    expect(clicked).toEqual([{ href: 'blob:report', download: 'chorus-report-a-b.csv' }]);
    click.mockRestore();
  });

  it('says when the CSV cannot be downloaded', async () => {
    server({ csv: () => jsonResponse(500, { error: { code: 'internal', message: 'boom' } }) });
    renderPage(<ReportsPage />, { session: supervisor() });
    await screen.findByTestId('report');
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(await screen.findByText(/Couldn't download the report\./)).toBeTruthy();
  });

  it('shows a bad range (422) at the date fields', async () => {
    server({
      overview: (p) =>
        p.get('from') === '2026-05-01'
          ? jsonResponse(422, { error: { code: 'validation_failed', message: 'Invalid.', fields: { from: 'The range starts after it ends.' } } })
          : p.get('to') === '2027-13-01'
            ? jsonResponse(422, { error: { code: 'validation_failed', message: 'Invalid.', fields: { to: 'Give the day as YYYY-MM-DD.' } } })
            : jsonResponse(200, fullReport(p.get('from')!, p.get('to')!)),
    });
    renderPage(<ReportsPage />, { session: supervisor(), path: '/reports?range=custom&from=2026-05-01&to=2026-04-01' });
    const from = screen.getByLabelText('From');
    expect(await screen.findByText('The range starts after it ends.')).toBeTruthy();
    expect(from.getAttribute('aria-invalid')).toBe('true');
    expect(from.getAttribute('aria-describedby')).toBe(screen.getByText('The range starts after it ends.').id);
    expect(screen.getByText(/Choose a valid date range/)).toBeTruthy();
    expect(screen.queryByTestId('report')).toBeNull();

    // Fixed: the report shows and the error goes.
    fireEvent.change(from, { target: { value: '2026-03-01' } });
    await screen.findByTestId('report');
    expect(screen.queryByText('The range starts after it ends.')).toBeNull();

    // An emptied field is flagged without asking the server.
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '' } });
    expect(await screen.findByText('This field is required.')).toBeTruthy();
    expect(screen.getByLabelText('To').getAttribute('aria-invalid')).toBe('true');
  });

  it('shows an empty state when the range had no activity', async () => {
    server({
      overview: (p) => {
        const r = fullReport(p.get('from')!, p.get('to')!);
        return jsonResponse(200, {
          ...r,
          totals: { ...r.totals, opened: 0, reopened: 0, resolved: 0, messages_in: 0, messages_out: 0, bot_handled: 0, bot_contained: 0, bot_containment_rate: null, sla_met: 0, sla_breached: 0, sla_compliance: null, first_response: dur(0, null, null), resolution: dur(0, null, null) },
          days: r.days.map((d) => ({ ...d, opened: 0, reopened: 0, resolved: 0, messages_in: 0, messages_out: 0, first_response_median_secs: null })),
          heatmap: [],
          agents: [],
          open_now: 2,
        });
      },
    });
    renderPage(<ReportsPage />, { session: supervisor() });
    const empty = await screen.findByTestId('report-empty');
    expect(empty.textContent).toContain('No activity in this range');
    expect(empty.textContent).toContain('2 conversations are open right now.');
    expect(screen.queryByTestId('kpi-opened')).toBeNull();
  });

  it('shows a load error with a retry', async () => {
    let fail = true;
    server({ overview: (p) => (fail ? jsonResponse(500, { error: { code: 'internal', message: 'boom' } }) : jsonResponse(200, fullReport(p.get('from')!, p.get('to')!))) });
    renderPage(<ReportsPage />, { session: supervisor() });
    expect(await screen.findByText('This page could not be loaded.')).toBeTruthy();
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByTestId('report');
  });
});

describe('the navigation', () => {
  it('links Reports for people with reports:view only', () => {
    renderPage(<AppShell />, { session: fakeSession({ me: fakeMe(['reports:view']) }) });
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Reports' }).getAttribute('href')).toBe('/reports');
    cleanup();
    renderPage(<AppShell />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    expect(within(screen.getByRole('navigation', { name: 'Main navigation' })).queryByRole('link', { name: 'Reports' })).toBeNull();
  });
});
