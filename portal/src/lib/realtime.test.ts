import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, fakeJwt, installFakeWebSocket } from '../test/websocket';
import { createRealtimeClient, parseFrame, realtimeUrl, tokenExpiry, type RealtimeClient, type RealtimeClientOptions } from './realtime';

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const started: RealtimeClient[] = [];

function client(overrides: Partial<RealtimeClientOptions> = {}) {
  const token = fakeJwt(inAnHour());
  const c = createRealtimeClient({
    getToken: () => token,
    refreshToken: vi.fn(async () => fakeJwt(inAnHour(), 'refreshed')),
    random: () => 0.5, // no jitter: delays are exactly 1 s, 2 s, 4 s…
    ...overrides,
  });
  started.push(c);
  return { c, token };
}

describe('realtime client', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    installFakeWebSocket();
  });
  afterEach(() => {
    started.splice(0).forEach((c) => c.stop()); // even when a test failed half-way
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('connects to the same host with the access token, then reconnects after the newest cursor', async () => {
    const { c, token } = client();
    const statuses: string[] = [];
    c.onStatus(() => statuses.push(c.status));
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last;
    expect(ws.url.startsWith(`ws://${location.host}/api/v1/realtime?`)).toBe(true);
    expect(ws.query.get('token')).toBe(token);
    expect(ws.query.has('after')).toBe(false);
    expect(c.status).toBe('connecting');

    ws.accept('100');
    expect(c.status).toBe('open');
    expect(c.cursor).toBe('100');
    const events: string[] = [];
    c.onEvent((e) => events.push(`${e.kind}:${e.conversationId}:${e.cursor}`));
    ws.event('101', 'c1');
    ws.event('102', 'c2', 'conversation.updated', null);
    expect(events).toEqual(['message.created:c1:101', 'conversation.updated:c2:102']);
    expect(c.cursor).toBe('102');

    ws.drop();
    expect(c.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(FakeWebSocket.last.query.get('after')).toBe('102');
    expect(FakeWebSocket.last.query.get('token')).toBe(token);
    // Replayed events move the cursor; the reconnect's hello does not jump past them.
    FakeWebSocket.last.accept('110');
    expect(c.cursor).toBe('102');
    FakeWebSocket.last.event('103', 'c1');
    expect(c.cursor).toBe('103');
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    c.stop();
  });

  it('backs off exponentially up to 30 s and starts over once connected', async () => {
    const { c } = client();
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = FakeWebSocket.instances.length;
      FakeWebSocket.last.drop();
      let waited = 0;
      while (FakeWebSocket.instances.length === before) {
        await vi.advanceTimersByTimeAsync(250);
        waited += 250;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);

    FakeWebSocket.last.accept('1');
    FakeWebSocket.last.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.live()).toHaveLength(1);
    c.stop();
  });

  it('adds ±25 % jitter to each wait', async () => {
    for (const [r, first] of [
      [0, 750],
      [1, 1250],
    ] as const) {
      installFakeWebSocket();
      const { c } = client({ random: () => r });
      c.start();
      await vi.advanceTimersByTimeAsync(0);
      FakeWebSocket.last.drop();
      await vi.advanceTimersByTimeAsync(first - 1);
      expect(FakeWebSocket.instances).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(FakeWebSocket.instances).toHaveLength(2);
      c.stop();
    }
  });

  it('gets a fresh access token before reconnecting when the old one expired', async () => {
    let token = fakeJwt(Math.floor(Date.now() / 1000) + 120);
    const refreshToken = vi.fn(async () => (token = fakeJwt(Math.floor(Date.now() / 1000) + 900, 'fresh')));
    const { c } = client({ getToken: () => token, refreshToken });
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(refreshToken).not.toHaveBeenCalled();
    const first = FakeWebSocket.last.query.get('token');
    FakeWebSocket.last.accept('7');

    // Two minutes later the socket drops; the token has expired meanwhile.
    await vi.advanceTimersByTimeAsync(120_000);
    FakeWebSocket.last.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(refreshToken).toHaveBeenCalledTimes(1);
    const ws = FakeWebSocket.last;
    expect(ws.query.get('token')).not.toBe(first);
    expect(tokenExpiry(ws.query.get('token')!)).toBeGreaterThan(Date.now() / 1000);
    expect(ws.query.get('after')).toBe('7');
    c.stop();
  });

  it('refreshes a token that could not open a socket once (a 401 looks like any failure), not on every retry', async () => {
    const old = fakeJwt(inAnHour());
    let token = old;
    const refreshToken = vi.fn(async () => (token = fakeJwt(inAnHour(), 'fresh')));
    const { c } = client({ getToken: () => token, refreshToken });
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.last.drop(); // refused before opening
    await vi.advanceTimersByTimeAsync(1000);
    expect(refreshToken).toHaveBeenCalledTimes(1);
    const fresh = FakeWebSocket.last.query.get('token');
    expect(fresh).not.toBe(old);
    FakeWebSocket.last.drop(); // the fresh token fails too: the server is away, not the token
    await vi.advanceTimersByTimeAsync(2000);
    expect(FakeWebSocket.instances).toHaveLength(3);
    expect(FakeWebSocket.last.query.get('token')).toBe(fresh);
    for (let i = 0; i < 4; i++) {
      FakeWebSocket.last.drop();
      await vi.advanceTimersByTimeAsync(30_000);
    }
    expect(FakeWebSocket.instances).toHaveLength(7);
    expect(refreshToken).toHaveBeenCalledTimes(1);
    // Once a connection works, a later refusal earns one refresh again.
    FakeWebSocket.last.accept('1');
    FakeWebSocket.last.drop(1000);
    await vi.advanceTimersByTimeAsync(1000);
    FakeWebSocket.last.drop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(refreshToken).toHaveBeenCalledTimes(2);
    c.stop();
  });

  it('keeps retrying with backoff while the refresh fails (offline), without opening sockets', async () => {
    const refreshToken = vi.fn(async () => {
      throw new Error('offline');
    });
    const { c } = client({ getToken: () => null, refreshToken });
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(c.status).toBe('connecting');
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    expect(refreshToken).toHaveBeenCalledTimes(4);
    expect(FakeWebSocket.instances).toHaveLength(0);
    c.stop();
  });

  it('on resync asks for a full refresh and reconnects without the stale cursor', async () => {
    const { c } = client();
    const reasons: string[] = [];
    c.onRefresh((r) => reasons.push(r));
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.last.accept('5');
    FakeWebSocket.last.event('6', 'c1');
    expect(reasons).toEqual(['connected']);
    FakeWebSocket.last.frame({ type: 'resync' });
    expect(reasons).toEqual(['connected', 'resync']);
    FakeWebSocket.last.drop(1000); // the server closes after a resync
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.last.query.has('after')).toBe(false);
    FakeWebSocket.last.accept('900');
    expect(c.cursor).toBe('900');
    expect(reasons).toEqual(['connected', 'resync', 'connected']);
    c.stop();
  });

  it('stops: closes its socket, never reconnects, and can forget the cursor', async () => {
    const { c } = client();
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last;
    ws.accept('3');
    c.stop();
    expect(ws.closedByClient).toBe(1000);
    expect(c.status).toBe('idle');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.last.query.get('after')).toBe('3');
    c.stop({ forgetCursor: true });
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.last.query.has('after')).toBe(false);
    c.stop();
  });

  it('reconnects at once when the browser comes back online', async () => {
    const { c } = client();
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 4; i++) {
      FakeWebSocket.last.drop();
      await vi.advanceTimersByTimeAsync(2 ** i * 1000);
    }
    FakeWebSocket.last.drop(); // now waiting 16 s
    const before = FakeWebSocket.instances.length;
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.instances).toHaveLength(before + 1);
    c.stop();
  });
});

describe('realtime frames and addresses', () => {
  it('parses the contract’s frames and ignores anything else', () => {
    expect(parseFrame('{"type":"hello","cursor":"42"}')).toEqual({ type: 'hello', cursor: '42' });
    expect(parseFrame('{"type":"event","cursor":"43","kind":"message.updated","conversation_id":"c1","message_id":"m1"}')).toEqual({
      type: 'event',
      event: { kind: 'message.updated', conversationId: 'c1', messageId: 'm1', cursor: '43' },
    });
    expect(parseFrame('{"type":"event","cursor":"44","kind":"conversation.updated","conversation_id":"c1","message_id":null}')).toMatchObject({
      event: { messageId: null },
    });
    expect(parseFrame('{"type":"resync"}')).toEqual({ type: 'resync' });
    for (const junk of ['', 'nope', '[]', 'null', '{"type":"event"}', '{"type":"ping"}']) expect(parseFrame(junk)).toBeNull();
    expect(parseFrame(new ArrayBuffer(2))).toBeNull();
  });

  it('follows the page’s protocol and host', () => {
    expect(realtimeUrl('a.b.c', null, { protocol: 'https:', host: 'chorus.example.com' })).toBe(
      'wss://chorus.example.com/api/v1/realtime?token=a.b.c',
    );
    expect(realtimeUrl('t', '99', { protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/v1/realtime?token=t&after=99');
  });

  it('reads a JWT’s expiry, and null for anything else', () => {
    expect(tokenExpiry(fakeJwt(1_900_000_000))).toBe(1_900_000_000);
    expect(tokenExpiry('opaque')).toBeNull();
    expect(tokenExpiry('a.!!!.c')).toBeNull();
  });
});
