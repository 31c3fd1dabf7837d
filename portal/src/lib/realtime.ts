// The realtime connection: one WebSocket to `/api/v1/realtime` (contract in docs/portal.md,
// "Live updates"). It knows nothing about pages; `createRealtimeSource` in live.tsx turns its
// events into page refreshes.
//
// - Connects to `ws(s)://<same host>/api/v1/realtime?token=<access token>&after=<cursor>`.
// - Remembers the newest cursor (the `hello` one when it connected without `after`, then each
//   event's) and reconnects with it, so the server replays what was missed.
// - Reconnects with exponential backoff (1 s, 2 s, 4 s … 30 s, ±25 % jitter), at once when the
//   browser comes back online or the tab is shown again.
// - Before connecting, gets a new access token when the current one is missing, expires within
//   15 s (JWT `exp`), or already failed to open a socket (a 401 before the upgrade is invisible
//   to browsers: it looks like any other failed connection); that last reason counts once until
//   a connection succeeds again.
// - `onRefresh` fires on every `hello` (connected or reconnected: what happened in between is
//   unknown) and on `resync`; after a resync the cursor is forgotten, because reconnecting with
//   a cursor the server found too old would only earn another resync.

export type RealtimeStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

export interface RealtimeEvent {
  /** `message.created`, `message.updated`, `conversation.updated` (unknown kinds pass through). */
  kind: string;
  /** Null for frames about no conversation (`notification.created`, `presence`). */
  conversationId: string | null;
  messageId: string | null;
  cursor: string;
  /** Extra data of `viewers`, `typing`, `presence` frames. */
  data?: Record<string, unknown> | null;
}

/** Frames that describe people (who looks, types, is online), not data: they reload nothing. */
export const EPHEMERAL_KINDS = new Set(['viewers', 'typing', 'presence', 'notification.created']);

export type RealtimeFrame =
  | { type: 'hello'; cursor: string }
  | { type: 'event'; event: RealtimeEvent }
  | { type: 'resync' };

export type RefreshReason = 'connected' | 'resync';

/** Reads one server frame; anything malformed or unknown is null (and ignored). */
export function parseFrame(data: unknown): RealtimeFrame | null {
  if (typeof data !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const f = v as Record<string, unknown>;
  if (f.type === 'hello') return { type: 'hello', cursor: typeof f.cursor === 'string' ? f.cursor : '' };
  if (f.type === 'resync') return { type: 'resync' };
  const conv = f.conversation_id;
  if (f.type === 'event' && typeof f.kind === 'string' && (typeof conv === 'string' || conv === null || conv === undefined)) {
    const event: RealtimeEvent = {
      kind: f.kind,
      conversationId: typeof conv === 'string' ? conv : null,
      messageId: typeof f.message_id === 'string' ? f.message_id : null,
      cursor: typeof f.cursor === 'string' ? f.cursor : '',
    };
    if (f.data && typeof f.data === 'object' && !Array.isArray(f.data)) event.data = f.data as Record<string, unknown>;
    return { type: 'event', event };
  }
  return null;
}

/** Seconds since the epoch at which a JWT expires, or null when it cannot be read. */
export function tokenExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp : null;
  } catch {
    return null;
  }
}

/** The socket address on the page's own host. */
export function realtimeUrl(token: string, after: string | null, loc: Pick<Location, 'protocol' | 'host'> = globalThis.location): string {
  const q = new URLSearchParams({ token });
  if (after) q.set('after', after);
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api/v1/realtime?${q}`;
}

/** The server counts at most one `{"type": "active"}` frame per 30 s. */
export const ACTIVE_EVERY_MS = 30_000;

/**
 * Throttles "the person is using the app" to one `send()` per `everyMs`. A send that could not
 * go out (no open socket) does not count, so the next input tries again.
 */
export function createActivityReporter(send: () => boolean, everyMs = ACTIVE_EVERY_MS, now: () => number = Date.now): () => void {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const t = now();
    if (t - last < everyMs) return;
    if (send()) last = t;
  };
}

export const MIN_RECONNECT_MS = 1000;
export const MAX_RECONNECT_MS = 30_000;
const EXPIRY_MARGIN_MS = 15_000;

export interface RealtimeClientOptions {
  /** The access token in memory (may be null or expired). */
  getToken: () => string | null;
  /** A new access token; null when there is no session any more. Rejects when offline. */
  refreshToken: () => Promise<string | null>;
  url?: (token: string, after: string | null) => string;
  /** Defaults to the global WebSocket, looked up at each connection. */
  WebSocket?: typeof WebSocket;
  minDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  /** Where `online` and `visibilitychange` are listened to (default: window, document). */
  win?: Window;
  doc?: Document;
}

export interface RealtimeClient {
  readonly status: RealtimeStatus;
  /** The newest cursor handled (sent as `after` when reconnecting). */
  readonly cursor: string | null;
  start(): void;
  /** Closes the socket and stops reconnecting; `forgetCursor` for a new person or business. */
  stop(opts?: { forgetCursor?: boolean }): void;
  onStatus(listener: () => void): () => void;
  onEvent(listener: (event: RealtimeEvent) => void): () => void;
  onRefresh(listener: (reason: RefreshReason) => void): () => void;
  /** Sends a JSON frame on the open socket; false when there is none. */
  send(frame: Record<string, unknown>): boolean;
}

export function createRealtimeClient(opts: RealtimeClientOptions): RealtimeClient {
  const minDelay = opts.minDelayMs ?? MIN_RECONNECT_MS;
  const maxDelay = opts.maxDelayMs ?? MAX_RECONNECT_MS;
  const random = opts.random ?? Math.random;
  const url = opts.url ?? realtimeUrl;
  const statusListeners = new Set<() => void>();
  const eventListeners = new Set<(e: RealtimeEvent) => void>();
  const refreshListeners = new Set<(r: RefreshReason) => void>();

  let status: RealtimeStatus = 'idle';
  let cursor: string | null = null;
  let running = false;
  let everOpen = false;
  let generation = 0; // bumps on every connect/stop so late async steps know they are stale
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  // The previous attempt: after a token could not open a socket, one refresh per failure streak
  // (a server that is down or refuses for another reason must not cost a refresh per retry).
  let last: { token: string; failedBeforeOpen: boolean } | null = null;
  let refreshedAfterFailure = false;

  function setStatus(next: RealtimeStatus) {
    if (status === next) return;
    status = next;
    for (const l of [...statusListeners]) l();
  }

  function needsNewToken(token: string | null): boolean {
    if (!token) return true;
    const exp = tokenExpiry(token);
    if (exp !== null && exp * 1000 - Date.now() < EXPIRY_MARGIN_MS) return true;
    return Boolean(!refreshedAfterFailure && last && last.failedBeforeOpen && last.token === token);
  }

  function scheduleRetry() {
    if (!running) return;
    clearTimeout(timer);
    const nominal = Math.min(maxDelay, minDelay * 2 ** attempt);
    attempt += 1;
    const delay = Math.min(maxDelay, Math.round(nominal * (0.75 + 0.5 * random())));
    setStatus(everOpen ? 'reconnecting' : 'connecting');
    timer = setTimeout(() => void connect(), delay);
  }

  async function connect() {
    clearTimeout(timer);
    timer = undefined;
    const mine = ++generation;
    setStatus(everOpen ? 'reconnecting' : 'connecting');

    let token = opts.getToken();
    if (needsNewToken(token)) {
      if (token && last?.failedBeforeOpen) refreshedAfterFailure = true;
      try {
        token = await opts.refreshToken();
      } catch {
        token = null;
      }
      if (mine !== generation) return;
    }
    if (!token) {
      scheduleRetry();
      return;
    }

    const Impl = opts.WebSocket ?? globalThis.WebSocket;
    let ws: WebSocket;
    try {
      ws = new Impl(url(token, cursor));
    } catch {
      scheduleRetry();
      return;
    }
    const attemptInfo = { token, failedBeforeOpen: false };
    last = attemptInfo;
    socket = ws;
    let opened = false;

    ws.onmessage = (e: MessageEvent) => {
      if (socket !== ws) return;
      const frame = parseFrame(e.data);
      if (!frame) return;
      if (frame.type === 'hello') {
        opened = true;
        everOpen = true;
        attempt = 0;
        refreshedAfterFailure = false;
        if (cursor === null && frame.cursor) cursor = frame.cursor;
        setStatus('open');
        for (const l of [...refreshListeners]) l('connected');
      } else if (frame.type === 'event') {
        if (frame.event.cursor) cursor = frame.event.cursor;
        for (const l of [...eventListeners]) l(frame.event);
      } else {
        cursor = null;
        for (const l of [...refreshListeners]) l('resync');
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (!opened) attemptInfo.failedBeforeOpen = true;
      scheduleRetry();
    };
    ws.onerror = () => {
      // a close follows
    };
  }

  function closeSocket() {
    const ws = socket;
    socket = null;
    if (!ws) return;
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
    try {
      ws.close(1000);
    } catch {
      // already closing
    }
  }

  /** Skips the rest of the backoff wait (network back, tab shown). */
  function hurry(resetBackoff: boolean) {
    if (!running || socket || timer === undefined) return;
    if (resetBackoff) attempt = 0;
    void connect();
  }
  const onOnline = () => hurry(true);
  const onVisibility = () => {
    const doc = opts.doc ?? globalThis.document;
    if (!doc || doc.visibilityState !== 'hidden') hurry(false);
  };

  return {
    get status() {
      return status;
    },
    get cursor() {
      return cursor;
    },
    start() {
      if (running) return;
      running = true;
      attempt = 0;
      (opts.win ?? globalThis.window)?.addEventListener('online', onOnline);
      (opts.doc ?? globalThis.document)?.addEventListener('visibilitychange', onVisibility);
      void connect();
    },
    stop({ forgetCursor = false } = {}) {
      running = false;
      generation += 1;
      clearTimeout(timer);
      timer = undefined;
      closeSocket();
      (opts.win ?? globalThis.window)?.removeEventListener('online', onOnline);
      (opts.doc ?? globalThis.document)?.removeEventListener('visibilitychange', onVisibility);
      if (forgetCursor) {
        cursor = null;
        everOpen = false;
        last = null;
        refreshedAfterFailure = false;
      }
      setStatus('idle');
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => void statusListeners.delete(listener);
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => void eventListeners.delete(listener);
    },
    onRefresh(listener) {
      refreshListeners.add(listener);
      return () => void refreshListeners.delete(listener);
    },
    send(frame) {
      const ws = socket;
      if (!ws || status !== 'open' || ws.readyState !== 1) return false;
      try {
        ws.send(JSON.stringify(frame));
        return true;
      } catch {
        return false;
      }
    },
  };
}
