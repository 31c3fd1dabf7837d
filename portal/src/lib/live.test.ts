import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPollingSource } from './live';

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
