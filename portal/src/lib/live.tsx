// Live updates, behind one small interface so the transport can change without touching pages.
//
// Pages call `useLive(topic, reload)`. In the app the source is `createRealtimeSource` (installed
// by `RealtimeProvider`): reloads follow the server's WebSocket events, and while the socket is
// not connected every subscription polls every 5 s instead. `createPollingSource` (every 2 s)
// remains the default outside that provider. Either way a handler never runs twice at once and
// waits while the tab is hidden.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { EPHEMERAL_KINDS, type RealtimeClient, type RealtimeEvent } from './realtime';

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

/** Whether an event may change what `topic` shows. */
export function topicMatches(topic: LiveTopic, event: RealtimeEvent): boolean {
  // Who is viewing or typing, presence and notifications are shown from the frame itself.
  if (EPHEMERAL_KINDS.has(event.kind)) return false;
  // The test phone's thread is looked up by the customer's number, which events do not carry.
  if (topic.kind === 'conversation') return topic.id === event.conversationId;
  return true;
}

export const FALLBACK_POLL_MS = 5000;
export const SAFETY_REFRESH_MS = 60_000;
export const EVENT_DEBOUNCE_MS = 150;

export interface RealtimeSourceOptions {
  /** Polling interval while the socket is not connected. */
  fallbackMs?: number;
  /** A refresh now and then while connected, in case an event went missing. */
  safetyMs?: number;
  /** Events within this time share one reload. */
  debounceMs?: number;
  doc?: Document;
}

type RealtimeFeed = Pick<RealtimeClient, 'status' | 'onStatus' | 'onEvent' | 'onRefresh'>;

/**
 * Reloads driven by the realtime client: a matching event reloads the topic ~150 ms later (events
 * in between share that reload; one arriving during a reload causes another after it), a
 * (re)connection or a `resync` reloads everything at once. While the socket is not open each
 * topic polls every `fallbackMs`; while it is open only the slow `safetyMs` refresh remains.
 * Hidden tabs do not reload: what changed meanwhile reloads as soon as the tab shows again.
 */
export function createRealtimeSource(client: RealtimeFeed, opts: RealtimeSourceOptions = {}): LiveSource {
  const fallbackMs = opts.fallbackMs ?? FALLBACK_POLL_MS;
  const safetyMs = opts.safetyMs ?? SAFETY_REFRESH_MS;
  const debounceMs = opts.debounceMs ?? EVENT_DEBOUNCE_MS;

  interface Sub {
    topic: LiveTopic;
    /** `queue`: a request during a reload runs again after it (events); polls just skip. */
    request(delayMs: number, queue: boolean): void;
  }
  const subs = new Set<Sub>();
  let loop: ReturnType<typeof setTimeout> | undefined;
  let offClient: (() => void) | null = null;

  function armLoop() {
    clearTimeout(loop);
    loop = undefined;
    if (subs.size === 0) return;
    loop = setTimeout(
      () => {
        for (const s of subs) s.request(0, false);
        armLoop();
      },
      client.status === 'open' ? safetyMs : fallbackMs,
    );
  }

  function listen() {
    const offs = [
      client.onStatus(armLoop),
      client.onEvent((e) => {
        for (const s of subs) if (topicMatches(s.topic, e)) s.request(debounceMs, true);
      }),
      client.onRefresh(() => {
        for (const s of subs) s.request(0, true);
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  return {
    subscribe(topic, onChange) {
      const doc = opts.doc ?? globalThis.document;
      let stopped = false;
      let running = false;
      let again = false;
      let dirty = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let dueAt = 0;

      const fire = async () => {
        timer = undefined;
        if (stopped) return;
        if (!isPageVisible(doc)) {
          dirty = true;
          return;
        }
        running = true;
        dirty = false;
        try {
          await onChange();
        } catch {
          // the page shows its own errors; the next event or poll tries again
        } finally {
          running = false;
          if (again && !stopped) {
            again = false;
            sub.request(debounceMs, false);
          }
        }
      };
      const sub: Sub = {
        topic,
        request(delayMs, queue) {
          if (stopped) return;
          if (!isPageVisible(doc)) {
            dirty = true;
            return;
          }
          if (running) {
            again ||= queue;
            return;
          }
          const at = Date.now() + delayMs;
          if (timer !== undefined && dueAt <= at) return;
          clearTimeout(timer);
          timer = undefined;
          if (delayMs <= 0) {
            void fire();
            return;
          }
          dueAt = at;
          timer = setTimeout(() => void fire(), delayMs);
        },
      };
      const onVisibility = () => {
        if (dirty && isPageVisible(doc)) sub.request(0, true);
      };

      subs.add(sub);
      if (!offClient) offClient = listen();
      if (subs.size === 1) armLoop();
      doc?.addEventListener('visibilitychange', onVisibility);
      return () => {
        stopped = true;
        clearTimeout(timer);
        doc?.removeEventListener('visibilitychange', onVisibility);
        subs.delete(sub);
        if (subs.size === 0) {
          clearTimeout(loop);
          loop = undefined;
          offClient?.();
          offClient = null;
        }
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
