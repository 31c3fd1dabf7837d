// The HTTP client of the portal.
//
// Session model (see docs/api.md): the short-lived access token lives in this module's memory
// only (never in localStorage or sessionStorage); the long-lived session is the httpOnly cookie
// `chorus_refresh`, which the browser sends to `/api/v1/auth/*` because every request uses
// `credentials: 'include'`. When a call answers 401 the client tries one refresh (shared by all
// calls that fail at the same moment, because the server revokes a whole session family when a
// rotated refresh token is reused) and replays the call once; if that fails too, the session is
// gone and `onAuthLost` fires so the app can send the person to /login.

import type { Session } from './types';

export interface ApiErrorBody {
  error?: { code?: string; message?: string; fields?: Record<string, string> };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string>;
  readonly retryAfter: number | null;
  readonly requestId: string | null;

  constructor(
    status: number,
    code: string,
    message: string,
    fields: Record<string, string> = {},
    retryAfter: number | null = null,
    requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

const FALLBACK_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  422: 'validation_failed',
  429: 'rate_limited',
};

/** Turns a non-2xx response into an ApiError, whatever its body looks like. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let body: ApiErrorBody | null = null;
  try {
    const text = await res.text();
    body = text ? (JSON.parse(text) as ApiErrorBody) : null;
  } catch {
    body = null;
  }
  const err = body && typeof body === 'object' ? body.error : undefined;
  const code =
    (err && typeof err.code === 'string' && err.code) ||
    FALLBACK_CODES[res.status] ||
    (res.status >= 500 ? 'internal' : `http_${res.status}`);
  const message =
    (err && typeof err.message === 'string' && err.message) ||
    res.statusText ||
    `Request failed with status ${res.status}.`;
  const fields: Record<string, string> = {};
  if (err && err.fields && typeof err.fields === 'object') {
    for (const [k, v] of Object.entries(err.fields)) {
      if (typeof v === 'string') fields[k] = v;
      else if (Array.isArray(v) && typeof v[0] === 'string') fields[k] = v[0];
    }
  }
  const ra = res.headers.get('Retry-After');
  const retryAfter = ra && /^\d+$/.test(ra) ? Number(ra) : null;
  return new ApiError(res.status, code, message, fields, retryAfter, res.headers.get('X-Request-Id'));
}

/** A downloaded file: its bytes and the name the server suggested. */
export interface DownloadedFile {
  blob: Blob;
  filename: string | null;
}

export interface RequestOptions {
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean;
  signal?: AbortSignal;
}

export interface UploadOptions extends RequestOptions {
  /** Bytes sent so far and in all (called as the upload goes). */
  onProgress?: (loaded: number, total: number) => void;
}

export interface UploadRequest {
  url: string;
  headers: Record<string, string>;
  body: FormData;
  onProgress?: (loaded: number, total: number) => void;
  signal?: AbortSignal;
}

/** Sends a multipart form and answers like fetch; the default reports upload progress. */
export type UploadTransport = (req: UploadRequest) => Promise<Response>;

/** XMLHttpRequest, because fetch cannot tell how much of a request body has been sent. */
export const xhrUpload: UploadTransport = (req) =>
  new Promise<Response>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', req.url);
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(req.headers)) xhr.setRequestHeader(k, v);
    if (xhr.upload && req.onProgress) {
      const report = req.onProgress;
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) report(e.loaded, e.total);
      };
    }
    xhr.onload = () => {
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().split(/[\r\n]+/)) {
        const i = line.indexOf(':');
        if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      const status = xhr.status >= 200 && xhr.status <= 599 ? xhr.status : 500;
      resolve(new Response(status === 204 ? null : xhr.responseText, { status, headers }));
    };
    xhr.onerror = () => reject(new TypeError('Network request failed'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    if (req.signal) {
      if (req.signal.aborted) {
        reject(new DOMException('The upload was cancelled.', 'AbortError'));
        return;
      }
      req.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(req.body);
  });

export interface ApiClientOptions {
  /** Multipart uploads (default: XMLHttpRequest with progress). */
  upload?: UploadTransport;
  fetch?: typeof fetch;
  baseUrl?: string;
  /** Current UI language, sent as Accept-Language so server messages can follow it. */
  getLanguage?: () => string | undefined;
}

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(options: ApiClientOptions = {}) {
  const doFetch: typeof fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
  const baseUrl = options.baseUrl ?? '';
  let accessToken: string | null = null;
  let refreshing: Promise<Session> | null = null;
  const sessionListeners = new Set<(s: Session | null) => void>();
  const authLostListeners = new Set<() => void>();

  function headers(auth: boolean, hasBody: boolean): Record<string, string> {
    const h: Record<string, string> = { Accept: 'application/json' };
    if (hasBody) h['Content-Type'] = 'application/json';
    const lang = options.getLanguage?.();
    if (lang) h['Accept-Language'] = lang;
    if (auth && accessToken) h.Authorization = `Bearer ${accessToken}`;
    return h;
  }

  async function send(method: string, path: string, body: unknown, auth: boolean, signal?: AbortSignal, upload?: UploadOptions) {
    try {
      if (body instanceof FormData) {
        // The browser sets the multipart Content-Type with its boundary.
        const transport = options.upload ?? xhrUpload;
        return await transport({ url: baseUrl + path, headers: headers(auth, false), body, onProgress: upload?.onProgress, signal });
      }
      return await doFetch(baseUrl + path, {
        method,
        headers: headers(auth, body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'include',
        signal,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'network_error', 'The server could not be reached.');
    }
  }

  async function parse<T>(res: Response): Promise<T> {
    if (!res.ok) throw await errorFromResponse(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  function setSession(session: Session | null) {
    accessToken = session ? session.access_token : null;
    for (const l of sessionListeners) l(session);
  }

  /**
   * Exchanges the refresh cookie for a new session. Concurrent callers share one request, and
   * tabs of the same origin take turns through the Web Locks API: the cookie is shared, and the
   * server revokes the whole session when a rotated token is presented twice, so two tabs must
   * never refresh with the same cookie at once.
   */
  function refresh(): Promise<Session> {
    if (!refreshing) {
      refreshing = (async () => {
        try {
          const post = () => send('POST', '/api/v1/auth/refresh', {}, false);
          const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
          const res = locks ? await locks.request('chorus-refresh', post) : await post();
          const session = await parse<Session>(res);
          setSession(session);
          return session;
        } catch (e) {
          if (isApiError(e) && (e.status === 401 || e.status === 403)) setSession(null);
          throw e;
        } finally {
          refreshing = null;
        }
      })();
    }
    return refreshing;
  }

  function authLost() {
    accessToken = null;
    for (const l of authLostListeners) l();
  }

  async function request<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: UploadOptions = {},
    read: (res: Response) => Promise<T> = parse<T>,
  ): Promise<T> {
    const auth = opts.auth ?? true;
    const tokenUsed = accessToken;
    const res = await send(method, path, body, auth, opts.signal, opts);
    if (res.status !== 401 || !auth) return read(res);

    // 401 on an authenticated call: refresh once (unless another call already did) and replay.
    const firstError = await errorFromResponse(res);
    if (accessToken === tokenUsed || !accessToken) {
      try {
        await refresh();
      } catch (e) {
        if (isApiError(e) && e.status === 0) throw e; // offline: keep the session, report it
        authLost();
        throw firstError;
      }
    }
    const retry = await send(method, path, body, auth, opts.signal, opts);
    if (retry.status === 401) {
      const err = await errorFromResponse(retry);
      authLost();
      throw err;
    }
    return read(retry);
  }

  /** A file answer (CSV, …) as a blob with the name from Content-Disposition (null if none). */
  async function readFile(res: Response): Promise<DownloadedFile> {
    if (!res.ok) throw await errorFromResponse(res);
    const disposition = res.headers.get('Content-Disposition') ?? '';
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
    let filename: string | null = null;
    if (m) {
      try {
        filename = decodeURIComponent(m[1]);
      } catch {
        filename = m[1];
      }
    }
    return { blob: await res.blob(), filename };
  }

  return {
    request,
    refresh,
    setSession,
    get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
    post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
    patch: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body, opts),
    put: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PUT', path, body, opts),
    /** POSTs a multipart form (e.g. a file), with upload progress. */
    upload: <T>(path: string, form: FormData, opts?: UploadOptions) => request<T>('POST', path, form, opts),
    del: <T = void>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
    /** GETs a file with the bearer token (and the same refresh-once on 401 as every call). */
    download: (path: string, opts?: RequestOptions) => request<DownloadedFile>('GET', path, undefined, opts, readFile),
    getAccessToken: () => accessToken,
    onSession(listener: (s: Session | null) => void) {
      sessionListeners.add(listener);
      return () => void sessionListeners.delete(listener);
    },
    onAuthLost(listener: () => void) {
      authLostListeners.add(listener);
      return () => void authLostListeners.delete(listener);
    },
  };
}
