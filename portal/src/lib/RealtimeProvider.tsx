// Connects the signed-in app to the server's realtime socket and makes every `useLive` below it
// event-driven (see live.tsx). Mounted by RequireAuth, so it lives exactly as long as a session;
// a different business (membership) starts over with a new socket and no cursor.
import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { api, isApiError } from '../api';
import { LiveProvider, createRealtimeSource, type RealtimeSourceOptions } from './live';
import { createActivityReporter, createRealtimeClient, type RealtimeClient, type RealtimeEvent, type RealtimeStatus } from './realtime';

/** What counts as using the app (captured on the window, so focus of any element counts). */
const ACTIVITY_EVENTS = ['keydown', 'mousedown', 'focus'] as const;

const RealtimeStatusContext = createContext<RealtimeStatus | null>(null);
const RealtimeClientContext = createContext<RealtimeClient | null>(null);

/**
 * Calls `listener` with every realtime event (viewers, typing, presence, notifications…); does
 * nothing outside a RealtimeProvider.
 */
export function useRealtimeEvents(listener: (event: RealtimeEvent) => void) {
  const client = useContext(RealtimeClientContext);
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => {
    if (!client) return;
    return client.onEvent((e) => ref.current(e));
  }, [client]);
}

/** The socket's state, or null outside a RealtimeProvider (then pages poll). */
export function useRealtimeStatus(): RealtimeStatus | null {
  return useContext(RealtimeStatusContext);
}

/** The realtime client of the shared API client's session. */
export function createAppRealtimeClient(): RealtimeClient {
  return createRealtimeClient({
    getToken: () => api.getAccessToken(),
    // The API client's refresh is shared with concurrent calls and serialized across tabs.
    refreshToken: async () => {
      try {
        return (await api.refresh()).access_token;
      } catch (e) {
        if (isApiError(e) && (e.status === 401 || e.status === 403)) return null;
        throw e;
      }
    },
  });
}

export function RealtimeProvider({
  children,
  sessionKey,
  enabled = true,
  client: given,
  options,
}: {
  children: ReactNode;
  /** False when the server would refuse the socket (no conversation permission): pages poll. */
  enabled?: boolean;
  /** Changes when the person or business changes (the membership id). */
  sessionKey?: string;
  client?: RealtimeClient;
  options?: RealtimeSourceOptions;
}) {
  const [client] = useState(() => given ?? createAppRealtimeClient());
  const [source] = useState(() => createRealtimeSource(client, options));
  const status = useSyncExternalStore(client.onStatus, () => client.status);

  useEffect(() => {
    if (!enabled) return;
    client.start();
    return () => client.stop({ forgetCursor: true });
  }, [client, sessionKey, enabled]);

  // Input activity keeps the person from turning "away" (presence, docs/api.md Realtime).
  useEffect(() => {
    if (!enabled || typeof window === 'undefined') return;
    const report = createActivityReporter(() => client.send({ type: 'active' }));
    const opts = { capture: true, passive: true } as const;
    for (const name of ACTIVITY_EVENTS) window.addEventListener(name, report, opts);
    return () => {
      for (const name of ACTIVITY_EVENTS) window.removeEventListener(name, report, opts);
    };
  }, [client, sessionKey, enabled]);

  return (
    <LiveProvider source={source}>
      <RealtimeClientContext.Provider value={client}>
        <RealtimeStatusContext.Provider value={status}>{children}</RealtimeStatusContext.Provider>
      </RealtimeClientContext.Provider>
    </LiveProvider>
  );
}
