import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPollingSource, createRealtimeSource } from './live';
import type { RealtimeEvent, RealtimeStatus, RefreshReason } from './realtime';

describe('polling live source', () => {
  let hidden = false;
  beforeEach(() => {
    vi.useFakeTimers();
    hidden = false;
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => (hidden ? 'hidden' : 'visible'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls the handler every interval while visible, and stops when unsubscribed', async () => {
    const handler = vi.fn();
    const off = createPollingSource({ intervalMs: 2000 }).subscribe({ kind: 'conversations' }, handler);
    expect(handler).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2000);
    expect(handler).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(4000);
    expect(handler).toHaveBeenCalledTimes(3);
    off();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(handler).toHaveBeenCalledTimes(3);
  });

  it('pauses while the tab is hidden and catches up at once when it shows again', async () => {
    const handler = vi.fn();
    const off = createPollingSource({ intervalMs: 2000 }).subscribe({ kind: 'conversation', id: 'c1' }, handler);
    hidden = true;
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(handler).not.toHaveBeenCalled();
    hidden = false;
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(handler).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(handler).toHaveBeenCalledTimes(2);
    off();
  });

  it('never overlaps a slow handler, and keeps going after a failure', async () => {
    let running = 0;
    let overlap = false;
    let calls = 0;
    const handler = vi.fn(async () => {
      calls += 1;
      running += 1;
      overlap ||= running > 1;
      await new Promise((r) => setTimeout(r, 5000));
      running -= 1;
      if (calls === 1) throw new Error('offline');
    });
    const off = createPollingSource({ intervalMs: 2000 }).subscribe({ kind: 'sandbox', from: '34600111222' }, handler);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(overlap).toBe(false);
    expect(handler.mock.calls.length).toBeGreaterThanOrEqual(2);
    off();
  });
});

describe('realtime live source', () => {
  // A realtime client the test drives directly.
  function feed() {
    const status = new Set<() => void>();
    const events = new Set<(e: RealtimeEvent) => void>();
    const refresh = new Set<(r: RefreshReason) => void>();
    const f = {
      status: 'connecting' as RealtimeStatus,
      onStatus: (l: () => void) => (status.add(l), () => void status.delete(l)),
      onEvent: (l: (e: RealtimeEvent) => void) => (events.add(l), () => void events.delete(l)),
      onRefresh: (l: (r: RefreshReason) => void) => (refresh.add(l), () => void refresh.delete(l)),
      set(next: RealtimeStatus) {
        f.status = next;
        status.forEach((l) => l());
      },
      /** Connected (hello): status open and a refresh of everything. */
      connect() {
        f.set('open');
        refresh.forEach((l) => l('connected'));
      },
      resync: () => refresh.forEach((l) => l('resync')),
      event: (conversationId: string, kind = 'message.created') =>
        events.forEach((l) => l({ kind, conversationId, messageId: null, cursor: String(Math.random()) })),
      listeners: () => status.size + events.size + refresh.size,
    };
    return f;
  }

  let hidden = false;
  beforeEach(() => {
    vi.useFakeTimers();
    hidden = false;
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => (hidden ? 'hidden' : 'visible'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls every 5 s while not connected, and not at all once connected (only a 60 s safety refresh)', async () => {
    const f = feed();
    const source = createRealtimeSource(f);
    const handler = vi.fn();
    const off = source.subscribe({ kind: 'conversations' }, handler);
    await vi.advanceTimersByTimeAsync(4999);
    expect(handler).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(handler).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(handler).toHaveBeenCalledTimes(3);

    f.connect(); // a (re)connection refreshes at once…
    await vi.advanceTimersByTimeAsync(0);
    expect(handler).toHaveBeenCalledTimes(4);
    await vi.advanceTimersByTimeAsync(59_999); // …then nothing polls
    expect(handler).toHaveBeenCalledTimes(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(handler).toHaveBeenCalledTimes(5);

    f.set('reconnecting'); // the socket dropped: polling resumes
    await vi.advanceTimersByTimeAsync(5000);
    expect(handler).toHaveBeenCalledTimes(6);
    await vi.advanceTimersByTimeAsync(5000);
    expect(handler).toHaveBeenCalledTimes(7);
    off();
    expect(f.listeners()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(handler).toHaveBeenCalledTimes(7);
  });

  it('refetches the list ~150 ms after any event, one reload for a burst', async () => {
    const f = feed();
    f.set('open');
    const handler = vi.fn();
    const off = createRealtimeSource(f).subscribe({ kind: 'conversations' }, handler);
    f.event('c1');
    await vi.advanceTimersByTimeAsync(100);
    f.event('c2', 'conversation.updated');
    f.event('c3', 'message.updated');
    expect(handler).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(50);
    expect(handler).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(handler).toHaveBeenCalledTimes(1);
    off();
  });

  it('refetches an open conversation only for its own events (created and updated)', async () => {
    const f = feed();
    f.set('open');
    const handler = vi.fn();
    const off = createRealtimeSource(f).subscribe({ kind: 'conversation', id: 'c1' }, handler);
    f.event('c2');
    f.event('c2', 'message.updated');
    f.event('c3', 'conversation.updated');
    await vi.advanceTimersByTimeAsync(1000);
    expect(handler).not.toHaveBeenCalled();
    f.event('c1', 'message.updated');
    await vi.advanceTimersByTimeAsync(150);
    expect(handler).toHaveBeenCalledTimes(1);
    f.event('c1', 'message.created');
    await vi.advanceTimersByTimeAsync(150);
    expect(handler).toHaveBeenCalledTimes(2);
    off();
  });

  it('refreshes the test phone on any event', async () => {
    const f = feed();
    f.set('open');
    const handler = vi.fn();
    const off = createRealtimeSource(f).subscribe({ kind: 'sandbox', from: '34600111222' }, handler);
    f.event('c9', 'message.updated');
    await vi.advanceTimersByTimeAsync(150);
    expect(handler).toHaveBeenCalledTimes(1);
    off();
  });

  it('refreshes everything at once on resync', async () => {
    const f = feed();
    f.set('open');
    const source = createRealtimeSource(f);
    const list = vi.fn();
    const thread = vi.fn();
    const offs = [source.subscribe({ kind: 'conversations' }, list), source.subscribe({ kind: 'conversation', id: 'c1' }, thread)];
    f.resync();
    await vi.advanceTimersByTimeAsync(0);
    expect(list).toHaveBeenCalledTimes(1);
    expect(thread).toHaveBeenCalledTimes(1);
    offs.forEach((off) => off());
  });

  it('reloads again after a slow reload when an event arrived meanwhile, never two at once', async () => {
    const f = feed();
    f.set('open');
    let running = 0;
    let overlap = false;
    const handler = vi.fn(async () => {
      running += 1;
      overlap ||= running > 1;
      await new Promise((r) => setTimeout(r, 1000));
      running -= 1;
    });
    const off = createRealtimeSource(f).subscribe({ kind: 'conversations' }, handler);
    f.event('c1');
    await vi.advanceTimersByTimeAsync(500); // reloading
    f.event('c1');
    f.event('c2');
    await vi.advanceTimersByTimeAsync(5000);
    expect(handler).toHaveBeenCalledTimes(2);
    expect(overlap).toBe(false);
    off();
  });

  it('holds reloads while the tab is hidden and catches up when it shows', async () => {
    const f = feed();
    f.set('open');
    const handler = vi.fn();
    const off = createRealtimeSource(f).subscribe({ kind: 'conversation', id: 'c1' }, handler);
    hidden = true;
    document.dispatchEvent(new Event('visibilitychange'));
    f.event('c1');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(handler).not.toHaveBeenCalled();
    hidden = false;
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(handler).toHaveBeenCalledTimes(1);
    off();
  });
});
