import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, type Session } from '../api';
import { LiveIndicator } from '../components/LiveIndicator';
import i18n from '../i18n';
import { jsonResponse } from '../test/render';
import { FakeWebSocket, fakeJwt, installFakeWebSocket } from '../test/websocket';
import { createAppRealtimeClient, RealtimeProvider } from './RealtimeProvider';
import { createRealtimeClient } from './realtime';

const session = (access_token: string): Session => ({
  access_token,
  token_type: 'Bearer',
  expires_in: 900,
  tenant_id: 't1',
  membership_id: 'm1',
});
const now = () => Math.floor(Date.now() / 1000);

describe('the app’s realtime client', () => {
  afterEach(() => {
    api.setSession(null);
    vi.unstubAllGlobals();
  });

  it('connects with the API client’s token, refreshing it first when it has expired', async () => {
    installFakeWebSocket();
    const fresh = fakeJwt(now() + 900, 'fresh');
    const fetchMock = vi.fn(async (url: string, _init?: RequestInit) =>
      url === '/api/v1/auth/refresh' ? jsonResponse(200, session(fresh)) : jsonResponse(404, {}),
    );
    vi.stubGlobal('fetch', fetchMock);
    api.setSession(session(fakeJwt(now() - 10)));
    const client = createAppRealtimeClient();
    client.start();
    await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0][1]).toMatchObject({ method: 'POST', credentials: 'include' });
    expect(FakeWebSocket.last.query.get('token')).toBe(fresh);
    expect(api.getAccessToken()).toBe(fresh); // every other call uses it too
    client.stop();
  });

  it('opens nothing when the session is gone (the refresh answers 401)', async () => {
    installFakeWebSocket();
    const fetchMock = vi.fn(async () => jsonResponse(401, { error: { code: 'unauthorized', message: 'No.' } }));
    vi.stubGlobal('fetch', fetchMock);
    const client = createAppRealtimeClient();
    client.start();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 20));
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(client.status).toBe('connecting');
    client.stop();
  });
});

describe('RealtimeProvider and the live indicator', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    void i18n.changeLanguage('en');
  });

  it('shows Live, Reconnecting… and nothing outside the provider, in English and Spanish', async () => {
    installFakeWebSocket();
    const client = createRealtimeClient({ getToken: () => fakeJwt(now() + 900), refreshToken: async () => null, minDelayMs: 10_000 });
    const view = render(
      <RealtimeProvider client={client}>
        <LiveIndicator />
      </RealtimeProvider>,
    );
    await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
    const dot = screen.getByTestId('live-indicator');
    expect(dot.getAttribute('aria-label')).toBe('Connecting…');
    act(() => FakeWebSocket.last.accept('1'));
    expect(dot.getAttribute('aria-label')).toBe('Live');
    expect(dot.getAttribute('data-status')).toBe('live');
    act(() => FakeWebSocket.last.drop());
    expect(dot.getAttribute('aria-label')).toBe('Reconnecting…');
    await act(() => i18n.changeLanguage('es'));
    expect(dot.getAttribute('aria-label')).toBe('Reconectando…');
    view.unmount();
    expect(client.status).toBe('idle');

    render(<LiveIndicator />);
    expect(screen.queryByTestId('live-indicator')).toBeNull();
  });

  it('opens no socket for someone the server would refuse (no conversation permission)', async () => {
    installFakeWebSocket();
    const client = createRealtimeClient({ getToken: () => fakeJwt(now() + 900), refreshToken: async () => null });
    render(
      <RealtimeProvider client={client} enabled={false}>
        <LiveIndicator />
      </RealtimeProvider>,
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(screen.queryByTestId('live-indicator')).toBeNull();
  });

  it('reports input activity on the socket as {"type":"active"}, at most every 30 s', async () => {
    installFakeWebSocket();
    const client = createRealtimeClient({ getToken: () => fakeJwt(now() + 900), refreshToken: async () => null, minDelayMs: 10_000 });
    let clock = 1_000_000;
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => clock);
    try {
      render(
        <RealtimeProvider client={client}>
          <input aria-label="box" />
        </RealtimeProvider>,
      );
      await vi.waitFor(() => expect(FakeWebSocket.instances).toHaveLength(1));
      const ws = FakeWebSocket.last;
      const sent = ws.sent;
      // Before the socket is open nothing goes out, and nothing is used up.
      fireEvent.keyDown(window, { key: 'a' });
      expect(sent).toEqual([]);
      act(() => ws.accept('1'));
      fireEvent.keyDown(screen.getByLabelText('box'), { key: 'a' });
      expect(sent).toEqual(['{"type":"active"}']);
      clock += 10_000;
      fireEvent.mouseDown(document.body);
      fireEvent.focus(screen.getByLabelText('box'));
      expect(sent).toHaveLength(1);
      clock += 20_000;
      fireEvent.mouseDown(document.body);
      expect(sent).toHaveLength(2);
    } finally {
      spy.mockRestore();
    }
  });
});
