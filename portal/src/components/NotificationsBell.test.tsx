import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Route, Routes, useLocation } from 'react-router-dom';
import type { AppNotification } from '../api';
import { resetFeatures } from '../lib/features';
import { createRealtimeClient } from '../lib/realtime';
import { RealtimeProvider } from '../lib/RealtimeProvider';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../test/render';
import { FakeWebSocket, fakeJwt, installFakeWebSocket } from '../test/websocket';
import { NotificationsBell } from './NotificationsBell';
import { PresenceToggle } from './PresenceToggle';

function Where() {
  return <div data-testid="where">{useLocation().pathname}</div>;
}

const items = [
  { id: 'nt1', kind: 'mention', conversation_id: 'c1', message_id: 'x1', actor_name: 'Ana', body: 'Careful @Olivia, VIP', created_at: new Date().toISOString(), read_at: null },
  { id: 'nt2', kind: 'assigned', conversation_id: 'c2', message_id: null, actor_name: null, body: 'Carla Cliente', created_at: new Date().toISOString(), read_at: new Date().toISOString() },
];

function server(status = 200) {
  let unread = 1;
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const u = new URL(url, 'http://x');
    if (status !== 200) return jsonResponse(status, { error: { code: 'not_found', message: 'No route.' } });
    if (u.pathname === '/api/v1/notifications') return jsonResponse(200, { items, next_cursor: null, unread_count: unread });
    if (init.method === 'POST') {
      unread = 0;
      return new Response(null, { status: 204 });
    }
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

function renderBell() {
  return renderPage(
    <Routes>
      <Route path="*" element={<><NotificationsBell /><Where /></>} />
    </Routes>,
    { path: '/inbox', session: fakeSession({ me: fakeMe(['conversations:read_all']) }) },
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  resetFeatures();
  localStorage.clear();
});

describe('NotificationsBell', () => {
  it('shows the unread count and the list; a click marks read and opens the conversation', async () => {
    const fn = server();
    renderBell();
    expect((await screen.findByTestId('notifications-count')).textContent).toBe('1');
    fireEvent.click(screen.getByRole('button', { name: 'Notifications (1 unread)' }));
    const list = screen.getAllByTestId('notification');
    expect(list[0].textContent).toContain('Ana mentioned you');
    expect(list[0].textContent).toContain('Careful @Olivia, VIP');
    expect(list[1].textContent).toContain('A conversation was assigned to you');
    fireEvent.click(list[0]);
    await waitFor(() => expect(screen.getByTestId('where').textContent).toBe('/inbox/c1'));
    expect(fn.mock.calls.some(([u, init]) => u === '/api/v1/notifications/nt1/read' && init?.method === 'POST')).toBe(true);
    expect(screen.queryByTestId('notifications-count')).toBeNull();
  });

  it('"Mark all as read" posts read-all', async () => {
    const fn = server();
    renderBell();
    await screen.findByTestId('notifications-count');
    fireEvent.click(screen.getByTestId('notifications-bell'));
    fireEvent.click(screen.getByRole('button', { name: 'Mark all as read' }));
    await waitFor(() => expect(fn.mock.calls.some(([u, init]) => u === '/api/v1/notifications/read-all' && init?.method === 'POST')).toBe(true));
    expect(screen.queryByTestId('notifications-count')).toBeNull();
  });

  it('refetches on a notification.created frame', async () => {
    installFakeWebSocket();
    const fn = server();
    const client = createRealtimeClient({ getToken: () => fakeJwt(Math.floor(Date.now() / 1000) + 900), refreshToken: async () => null });
    renderPage(
      <RealtimeProvider client={client}>
        <NotificationsBell />
      </RealtimeProvider>,
      { path: '/inbox', session: fakeSession({ me: fakeMe([]) }) },
    );
    await screen.findByTestId('notifications-count');
    const before = fn.mock.calls.length;
    act(() => FakeWebSocket.last.accept('1'));
    act(() => FakeWebSocket.last.frame({ type: 'event', cursor: '2', kind: 'notification.created', conversation_id: null }));
    await waitFor(() => expect(fn.mock.calls.length).toBe(before + 1));
    expect(String(fn.mock.calls.at(-1)![0])).toContain('/api/v1/notifications');
  });

  it('titles a window_closing notification and shows the server’s sentence', async () => {
    (items as AppNotification[]).push({ id: 'nt3', kind: 'window_closing', conversation_id: 'c3', message_id: null, actor_name: null, body: 'The 24-hour window with Carla closes in 60 minutes.', created_at: new Date().toISOString(), read_at: null });
    try {
      server();
      renderBell();
      await screen.findByTestId('notifications-count');
      fireEvent.click(screen.getByRole('button', { name: /^Notifications/ }));
      const item = screen.getAllByTestId('notification').find((n) => n.getAttribute('data-kind') === 'window_closing')!;
      expect(item.textContent).toContain('A 24-hour window is closing');
      expect(item.textContent).toContain('The 24-hour window with Carla closes in 60 minutes.');
      expect(item.className).toContain('bell-item-window-closing');
      fireEvent.click(item);
      await waitFor(() => expect(screen.getByTestId('where').textContent).toBe('/inbox/c3'));
    } finally {
      items.pop();
    }
  });

  it('is hidden when the server has no notifications', async () => {
    const fn = server(404);
    renderBell();
    await waitFor(() => expect(fn).toHaveBeenCalled());
    await waitFor(() => expect(screen.queryByTestId('notifications-bell')).toBeNull());
  });
});

describe('PresenceToggle', () => {
  it('tells the server the availability and switches to away', async () => {
    const fn = vi.fn(async (_url: string, init: RequestInit = {}) => jsonResponse(200, { status: JSON.parse(String(init.body)).availability }));
    vi.stubGlobal('fetch', fn);
    renderPage(<PresenceToggle membershipId="m1" />, { session: fakeSession({ me: fakeMe([]) }) });
    const away = await screen.findByRole('button', { name: 'Away' });
    expect(fn.mock.calls[0][0]).toBe('/api/v1/me/presence');
    expect(JSON.parse(String(fn.mock.calls[0][1]!.body))).toEqual({ availability: 'online' });
    fireEvent.click(away);
    await waitFor(() => expect(fn).toHaveBeenCalledTimes(2));
    expect(JSON.parse(String(fn.mock.calls[1][1]!.body))).toEqual({ availability: 'away' });
    expect(away.getAttribute('aria-pressed')).toBe('true');
    expect(localStorage.getItem('chorus.availability')).toBe('away');
  });

  it('is hidden when the server has no presence', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(404, { error: { code: 'not_found', message: 'No.' } })));
    renderPage(<PresenceToggle membershipId="m1" />, { session: fakeSession({ me: fakeMe([]) }) });
    await act(() => new Promise((r) => setTimeout(r, 20)));
    expect(screen.queryByTestId('presence-toggle')).toBeNull();
  });
});
