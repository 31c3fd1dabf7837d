// Live updates, behind one small interface so the transport can change without touching pages.
//
// Today every subscription polls: its handler runs every `intervalMs` (2 s) while the tab is
// visible, never twice at once, and right away when the tab becomes visible again. A realtime
// source (WebSocket) will implement the same `LiveSource`: it calls the handler when the server
// says a topic changed (and once after reconnecting), and pages keep working unchanged.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

export type LiveTopic =
  | { kind: 'conversations' }
  | { kind: 'conversation'; id: string }
  | { kind: 'sandbox'; from: string };

/** Reloads what the topic shows; a returned promise is awaited before the next call. */
export type LiveHandler = () => void | Promise<unknown>;

export interface LiveSource {
  /** Calls `onChange` whenever `topic` may have changed (spurious calls are allowed). */
  subscribe(topic: LiveTopic, onChange: LiveHandler): () => void;
}

export const POLL_INTERVAL_MS = 2000;

export function isPageVisible(doc: Document | undefined = globalThis.document): boolean {
  return !doc || doc.visibilityState !== 'hidden';
}

export function createPollingSource(opts: { intervalMs?: number; doc?: Document } = {}): LiveSource {
  const intervalMs = opts.intervalMs ?? POLL_INTERVAL_MS;
  return {
    subscribe(_topic, onChange) {
      const doc = opts.doc ?? globalThis.document;
      let stopped = false;
      let running = false;
      let timer: ReturnType<typeof setTimeout> | undefined;

      const schedule = () => {
        clearTimeout(timer);
        if (!stopped && isPageVisible(doc)) timer = setTimeout(tick, intervalMs);
      };
      const tick = async () => {
        if (stopped || running) return;
        running = true;
        try {
          await onChange();
        } catch {
          // the page shows its own errors; polling simply tries again
        } finally {
          running = false;
          schedule();
        }
      };
      const onVisibility = () => {
        if (isPageVisible(doc)) void tick();
        else clearTimeout(timer);
      };

      doc?.addEventListener('visibilitychange', onVisibility);
      schedule();
      return () => {
        stopped = true;
        clearTimeout(timer);
        doc?.removeEventListener('visibilitychange', onVisibility);
      };
    },
  };
}

const LiveContext = createContext<LiveSource>(createPollingSource());

export function LiveProvider({ source, children }: { source: LiveSource; children: ReactNode }) {
  return <LiveContext.Provider value={source}>{children}</LiveContext.Provider>;
}

/** Runs `onChange` when `topic` may have changed; `null` subscribes to nothing. */
export function useLive(topic: LiveTopic | null, onChange: LiveHandler) {
  const source = useContext(LiveContext);
  const handler = useRef(onChange);
  handler.current = onChange;
  const key = topic ? JSON.stringify(topic) : null;
  useEffect(() => {
    if (!topic) return;
    return source.subscribe(topic, () => handler.current());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source, key]);
}

/** Whether the tab is visible, kept up to date. */
export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => isPageVisible());
  useEffect(() => {
    const on = () => setVisible(isPageVisible());
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  return visible;
}

/** The current time, refreshed every `everyMs` (for countdowns and relative times). */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
