import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '../../../i18n';
import { createRealtimeClient } from '../../../lib/realtime';
import { RealtimeProvider } from '../../../lib/RealtimeProvider';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { FakeWebSocket, fakeJwt, installFakeWebSocket } from '../../../test/websocket';
import { FloorPage, waitLabel } from './FloorPage';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function floorBody(over: Record<string, unknown> = {}) {
  return {
    open: 14,
    unassigned: 3,
    waiting: 5,
    oldest_waiting_since: minutesAgo(12.5),
    pending: 2,
    snoozed: 1,
    sla_at_risk: 2,
    sla_breached: 1,
    online: 1,
    away: 1,
    offline: 1,
    agents: [
      { membership_id: 'm1', name: 'Ana Agent', status: 'online', open: 6, waiting: 2 },
      { membership_id: 'm2', name: 'Bruno Busy', status: 'away', open: 4, waiting: 0 },
      { membership_id: 'm3', name: 'Carla Gone', status: 'offline', open: 0, waiting: 0 },
    ],
    at: new Date().toISOString(),
    ...over,
  };
}

function server(body: () => unknown = () => floorBody()) {
  const fn = vi.fn(async (url: string) => {
    const u = new URL(url, 'http://x');
    if (u.pathname === '/api/v1/reports/floor') return jsonResponse(200, body());
    if (u.pathname === '/api/v1/teams') return jsonResponse(200, { items: [{ id: 'tm1', name: 'Sales', member_ids: [] }, { id: 'tm2', name: 'Support', member_ids: [] }], next_cursor: null });
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}
const floorCalls = (fn: ReturnType<typeof server>) => fn.mock.calls.map(([u]) => String(u)).filter((u) => u.startsWith('/api/v1/reports/floor'));
const supervisor = () => fakeSession({ me: fakeMe(['reports:view', 'conversations:read_all']) });

describe('FloorPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
    void i18n.changeLanguage('en');
  });

  it('says how long the longest wait is', () => {
    const t = i18n.getFixedT('en');
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(waitLabel(t, '2026-01-01T11:59:40Z', now)).toBe('under a minute');
    expect(waitLabel(t, '2026-01-01T11:48:00Z', now)).toBe('12 min');
    expect(waitLabel(t, '2026-01-01T09:55:00Z', now)).toBe('2 h 5 min');
    expect(waitLabel(t, '2025-12-29T08:00:00Z', now)).toBe('3 d 4 h');
  });

  it('needs reports:view and asks nothing of the server without it', () => {
    const fn = server();
    renderPage(<FloorPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    expect(screen.queryByTestId('floor-open')).toBeNull();
    expect(fn).not.toHaveBeenCalled();
  });

  it('shows the counters, the presence and the agents table', async () => {
    server();
    renderPage(<FloorPage />, { session: supervisor() });
    expect((await screen.findByTestId('floor-open-value')).textContent).toBe('14');
    expect(screen.getByTestId('floor-unassigned-value').textContent).toBe('3');
    expect(screen.getByTestId('floor-waiting').textContent).toContain('5');
    expect(screen.getByTestId('floor-waiting').textContent).toContain('Longest wait 12 min');
    expect(screen.getByTestId('floor-pending-value').textContent).toBe('2');
    expect(screen.getByTestId('floor-snoozed-value').textContent).toBe('1');
    expect(screen.getByTestId('floor-sla-at-risk').className).toContain('floor-counter-warning');
    expect(screen.getByTestId('floor-sla-breached').className).toContain('floor-counter-danger');
    expect(screen.getByTestId('floor-presence').textContent).toBe('1 online1 away1 offline');
    const rows = screen.getAllByTestId('floor-agent');
    expect(rows).toHaveLength(3);
    expect(rows[0].textContent).toContain('Ana Agent');
    expect(within(rows[0]).getByTestId('floor-agent-open').textContent).toBe('6');
    expect(within(rows[0]).getByTestId('floor-agent-waiting').textContent).toBe('2');
    expect(within(rows[0]).getByRole('img', { name: 'Ana Agent: Online' })).toBeTruthy();
    expect(within(rows[1]).getByText('Away')).toBeTruthy();
    expect(screen.getByTestId('floor-updated').textContent).toBe('Updated just now');
  });

  it('neither SLA counter is coloured at zero; nobody waiting says so', async () => {
    server(() => floorBody({ sla_at_risk: 0, sla_breached: 0, waiting: 0, oldest_waiting_since: null, agents: [] }));
    renderPage(<FloorPage />, { session: supervisor() });
    await screen.findByTestId('floor-open');
    expect(screen.getByTestId('floor-sla-at-risk').className).not.toContain('warning');
    expect(screen.getByTestId('floor-sla-breached').className).not.toContain('danger');
    expect(screen.getByTestId('floor-waiting').textContent).toContain('Nobody is waiting');
    expect(screen.getByText('No agents in this team yet.')).toBeTruthy();
  });

  it('the team filter changes the query', async () => {
    const fn = server();
    renderPage(<FloorPage />, { session: supervisor() });
    await screen.findByTestId('floor-open');
    expect(floorCalls(fn)).toEqual(['/api/v1/reports/floor']);
    const select = screen.getByLabelText('Team');
    await screen.findByRole('option', { name: 'Support' });
    fireEvent.change(select, { target: { value: 'tm2' } });
    await waitFor(() => expect(floorCalls(fn)).toContain('/api/v1/reports/floor?team_id=tm2'));
    fireEvent.change(select, { target: { value: '' } });
    await waitFor(() => expect(floorCalls(fn).at(-1)).toBe('/api/v1/reports/floor'));
  });

  it('refetches when realtime events arrive, several events sharing one refetch', async () => {
    installFakeWebSocket();
    let open = 14;
    const fn = server(() => floorBody({ open }));
    const client = createRealtimeClient({ getToken: () => fakeJwt(Math.floor(Date.now() / 1000) + 900), refreshToken: async () => null });
    renderPage(
      <RealtimeProvider client={client}>
        <FloorPage />
      </RealtimeProvider>,
      { session: supervisor() },
    );
    expect((await screen.findByTestId('floor-open-value')).textContent).toBe('14');
    await waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(0));
    act(() => FakeWebSocket.last.accept('1'));
    const before = floorCalls(fn).length;
    open = 15;
    act(() => {
      FakeWebSocket.last.frame({ type: 'event', cursor: '2', kind: 'message.created', conversation_id: 'c1', message_id: 'x1' });
      FakeWebSocket.last.frame({ type: 'event', cursor: '3', kind: 'conversation.updated', conversation_id: 'c1', message_id: null });
      FakeWebSocket.last.frame({ type: 'event', cursor: '4', kind: 'typing', conversation_id: 'c1', message_id: null, data: { typing: true } });
    });
    await waitFor(() => expect(screen.getByTestId('floor-open-value').textContent).toBe('15'), { timeout: 3000 });
    expect(floorCalls(fn).length).toBe(before + 1);
    // A typing frame alone changes nothing the floor counts.
    act(() => FakeWebSocket.last.frame({ type: 'event', cursor: '5', kind: 'typing', conversation_id: 'c1', message_id: null, data: { typing: false } }));
    await new Promise((r) => setTimeout(r, 1200));
    expect(floorCalls(fn).length).toBe(before + 1);
  });

  it('refreshes every 15 s as a fallback and counts the seconds since', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const fn = server();
    renderPage(<FloorPage />, { session: supervisor() });
    await screen.findByTestId('floor-open');
    expect(floorCalls(fn)).toHaveLength(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(5_000);
    });
    expect(screen.getByTestId('floor-updated').textContent).toMatch(/^Updated \d+ s ago$/);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10_500);
    });
    await waitFor(() => expect(floorCalls(fn)).toHaveLength(2));
  });
});
