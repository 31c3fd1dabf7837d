import { describe, expect, it, vi } from 'vitest';
import { stubXhr } from '../test/xhr';
import { ApiError, createApiClient, errorFromResponse, type UploadRequest } from './client';
import type { Session } from './types';

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

const session = (token: string): Session => ({
  access_token: token,
  token_type: 'Bearer',
  expires_in: 900,
  refresh_token: 'r',
  tenant_id: 't1',
  membership_id: 'm1',
});

type Call = { url: string; init: RequestInit };

/** A fake fetch that answers from a routing function and records every call. */
function fakeFetch(route: (url: string, init: RequestInit, calls: Call[]) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    calls.push({ url, init });
    return route(url, init, calls);
  });
  return { fn: fn as unknown as typeof fetch, calls };
}

const auth = (c: Call) => (c.init.headers as Record<string, string>).Authorization;

describe('errorFromResponse', () => {
  it('reads code, message and fields from the error envelope', async () => {
    const err = await errorFromResponse(
      json(422, { error: { code: 'validation_failed', message: 'Check the form.', fields: { password: 'Too short.' } } }, { 'X-Request-Id': 'req-1' }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.code).toBe('validation_failed');
    expect(err.message).toBe('Check the form.');
    expect(err.fields).toEqual({ password: 'Too short.' });
    expect(err.requestId).toBe('req-1');
  });

  it('falls back to a code from the status when the body is not JSON', async () => {
    const err = await errorFromResponse(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(err.code).toBe('internal');
    expect(err.message).toBe('Bad Gateway');
    const notFound = await errorFromResponse(new Response('', { status: 404 }));
    expect(notFound.code).toBe('not_found');
    expect(notFound.fields).toEqual({});
  });

  it('reads Retry-After on rate limiting', async () => {
    const err = await errorFromResponse(json(429, { error: { code: 'rate_limited', message: 'Slow down.' } }, { 'Retry-After': '12' }));
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfter).toBe(12);
  });
});

describe('api client', () => {
  it('sends JSON with the bearer token and includes credentials', async () => {
    const { fn, calls } = fakeFetch(() => json(200, { ok: true }));
    const client = createApiClient({ fetch: fn, getLanguage: () => 'es' });
    client.setSession(session('A1'));
    await client.post('/api/v1/tags', { name: 'VIP', colour: '#ff0000' });
    expect(calls).toHaveLength(1);
    const headers = calls[0].init.headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer A1');
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers['Accept-Language']).toBe('es');
    expect(calls[0].init.credentials).toBe('include');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ name: 'VIP', colour: '#ff0000' });
  });

  it('answers undefined for 204', async () => {
    const { fn } = fakeFetch(() => new Response(null, { status: 204 }));
    const client = createApiClient({ fetch: fn });
    await expect(client.del('/api/v1/tags/1')).resolves.toBeUndefined();
  });

  it('throws ApiError with the server message', async () => {
    const { fn } = fakeFetch(() => json(409, { error: { code: 'tag_exists', message: 'Tag exists.' } }));
    const client = createApiClient({ fetch: fn });
    await expect(client.post('/api/v1/tags', {})).rejects.toMatchObject({ status: 409, code: 'tag_exists', message: 'Tag exists.' });
  });

  it('turns a network failure into a network_error ApiError', async () => {
    const client = createApiClient({ fetch: (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch });
    await expect(client.get('/api/v1/me')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('on 401 refreshes once with the cookie and replays the call with the new token', async () => {
    const { fn, calls } = fakeFetch((url, init) => {
      if (url === '/api/v1/auth/refresh') return json(200, session('NEW'));
      return auth({ url, init }) === 'Bearer NEW' ? json(200, { id: 'me' }) : json(401, { error: { code: 'unauthorized', message: 'Expired.' } });
    });
    const client = createApiClient({ fetch: fn });
    client.setSession(session('OLD'));
    const seen: (string | null)[] = [];
    client.onSession((s) => seen.push(s?.access_token ?? null));

    await expect(client.get('/api/v1/me')).resolves.toEqual({ id: 'me' });
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/me', '/api/v1/auth/refresh', '/api/v1/me']);
    const refresh = calls[1];
    expect(refresh.init.method).toBe('POST');
    expect(refresh.init.credentials).toBe('include');
    expect(auth(refresh)).toBeUndefined();
    expect(auth(calls[2])).toBe('Bearer NEW');
    expect(client.getAccessToken()).toBe('NEW');
    expect(seen).toEqual(['NEW']);
  });

  it('shares one refresh between calls that fail together', async () => {
    let refreshes = 0;
    const { fn } = fakeFetch(async (url, init) => {
      if (url === '/api/v1/auth/refresh') {
        refreshes++;
        await new Promise((r) => setTimeout(r, 10));
        return json(200, session('NEW'));
      }
      return auth({ url, init }) === 'Bearer NEW' ? json(200, { url }) : json(401, { error: { code: 'unauthorized', message: 'x' } });
    });
    const client = createApiClient({ fetch: fn });
    client.setSession(session('OLD'));
    const results = await Promise.all([client.get('/a'), client.get('/b'), client.get('/c')]);
    expect(results).toEqual([{ url: '/a' }, { url: '/b' }, { url: '/c' }]);
    expect(refreshes).toBe(1);
  });

  it('reports the session lost when the refresh fails, without retrying', async () => {
    const { fn, calls } = fakeFetch((url) =>
      url === '/api/v1/auth/refresh'
        ? json(401, { error: { code: 'unauthorized', message: 'Session ended.' } })
        : json(401, { error: { code: 'unauthorized', message: 'Expired.' } }),
    );
    const client = createApiClient({ fetch: fn });
    client.setSession(session('OLD'));
    const lost = vi.fn();
    client.onAuthLost(lost);
    await expect(client.get('/api/v1/tags')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(lost).toHaveBeenCalledTimes(1);
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/tags', '/api/v1/auth/refresh']);
    expect(client.getAccessToken()).toBeNull();
  });

  it('gives up after one replay when the new token is refused too', async () => {
    const { fn, calls } = fakeFetch((url) =>
      url === '/api/v1/auth/refresh' ? json(200, session('NEW')) : json(401, { error: { code: 'unauthorized', message: 'No.' } }),
    );
    const client = createApiClient({ fetch: fn });
    const lost = vi.fn();
    client.onAuthLost(lost);
    await expect(client.get('/api/v1/me')).rejects.toMatchObject({ status: 401 });
    expect(calls).toHaveLength(3);
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it('does not refresh for calls made without auth (a wrong password is just an error)', async () => {
    const { fn, calls } = fakeFetch(() => json(401, { error: { code: 'invalid_credentials', message: 'Wrong email or password.' } }));
    const client = createApiClient({ fetch: fn });
    const lost = vi.fn();
    client.onAuthLost(lost);
    await expect(client.post('/api/v1/auth/login', { email: 'a@b.c', password: 'x' }, { auth: false })).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
    expect(calls).toHaveLength(1);
    expect(lost).not.toHaveBeenCalled();
  });

  it('does not refresh on 403', async () => {
    const { fn, calls } = fakeFetch(() => json(403, { error: { code: 'forbidden', message: 'No.' } }));
    const client = createApiClient({ fetch: fn });
    await expect(client.get('/api/v1/agents')).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    expect(calls).toHaveLength(1);
  });
});

describe('uploads', () => {
  it('posts the form with the bearer token (no JSON content type), reports progress and parses the answer', async () => {
    const { fn } = fakeFetch(() => json(200, {}));
    const seen: UploadRequest[] = [];
    const upload = vi.fn(async (req: UploadRequest) => {
      seen.push(req);
      req.onProgress?.(40, 100);
      return json(201, { id: 'f1', status: 'ready' });
    });
    const client = createApiClient({ fetch: fn, upload, getLanguage: () => 'es' });
    client.setSession(session('tok'));
    const form = new FormData();
    form.append('file', new File(['x'], 'a.png', { type: 'image/png' }));
    const progress: number[] = [];
    const answer = await client.upload<{ id: string }>('/api/v1/media', form, { onProgress: (l, t) => progress.push(l / t) });
    expect(answer).toEqual({ id: 'f1', status: 'ready' });
    expect(progress).toEqual([0.4]);
    expect(seen[0].url).toBe('/api/v1/media');
    expect(seen[0].body).toBe(form);
    expect(seen[0].headers.Authorization).toBe('Bearer tok');
    expect(seen[0].headers['Accept-Language']).toBe('es');
    expect(seen[0].headers['Content-Type']).toBeUndefined();
  });

  it('turns 413 and 415 answers into ApiErrors with their codes', async () => {
    const { fn } = fakeFetch(() => json(200, {}));
    let status = 413;
    const upload = vi.fn(async () =>
      status === 413
        ? json(413, { error: { code: 'media_too_large', message: 'WhatsApp carries image files of at most 5 MB.' } })
        : json(415, { error: { code: 'media_type_unsupported', message: 'WhatsApp cannot send image/gif files.' } }),
    );
    const client = createApiClient({ fetch: fn, upload });
    const form = new FormData();
    await expect(client.upload('/api/v1/media', form)).rejects.toMatchObject({ status: 413, code: 'media_too_large' });
    status = 415;
    await expect(client.upload('/api/v1/media', form)).rejects.toMatchObject({ status: 415, code: 'media_type_unsupported' });
  });

  it('refreshes once and replays an upload that met a 401', async () => {
    const { fn, calls } = fakeFetch((url) => (url.endsWith('/auth/refresh') ? json(200, session('fresh')) : json(200, {})));
    let n = 0;
    const upload = vi.fn(async (req: UploadRequest) => {
      n += 1;
      return n === 1 ? json(401, { error: { code: 'unauthorized', message: 'Expired.' } }) : json(201, { id: 'f1', auth: req.headers.Authorization });
    });
    const client = createApiClient({ fetch: fn, upload });
    client.setSession(session('old'));
    expect(await client.upload('/api/v1/media', new FormData())).toEqual({ id: 'f1', auth: 'Bearer fresh' });
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/auth/refresh']);
  });

  it('the default transport uses XMLHttpRequest with credentials', async () => {
    const requests = stubXhr(() => ({ status: 201, body: { id: 'f9' } }));
    try {
      const client = createApiClient({ fetch: fakeFetch(() => json(200, {})).fn });
      const progress: number[] = [];
      expect(await client.upload('/api/v1/media', new FormData(), { onProgress: (l, t) => progress.push(l / t) })).toEqual({ id: 'f9' });
      expect(requests[0].url).toBe('/api/v1/media');
      expect(progress).toEqual([0.5]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('file downloads', () => {
  it('sends the token, refreshes once on 401, and gives the blob with its file name', async () => {
    let n = 0;
    const { fn, calls } = fakeFetch((url) => {
      if (url.endsWith('/auth/refresh')) return json(200, session('fresh'));
      n += 1;
      if (n === 1) return json(401, { error: { code: 'unauthorized', message: 'Expired.' } });
      return new Response('a,b\n1,2\n', { status: 200, headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="report 1.csv"' } });
    });
    const client = createApiClient({ fetch: fn });
    client.setSession(session('old'));
    const file = await client.download('/api/v1/reports/overview.csv?from=2026-01-01');
    expect(file.filename).toBe('report 1.csv');
    expect(await file.blob.text()).toBe('a,b\n1,2\n');
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/reports/overview.csv?from=2026-01-01', '/api/v1/auth/refresh', '/api/v1/reports/overview.csv?from=2026-01-01']);
    expect(auth(calls[0])).toBe('Bearer old');
    expect(auth(calls[2])).toBe('Bearer fresh');
  });

  it('turns an error answer into an ApiError', async () => {
    const { fn } = fakeFetch(() => json(403, { error: { code: 'forbidden', message: 'No.' } }));
    const client = createApiClient({ fetch: fn });
    await expect(client.download('/x.csv')).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    const plain = createApiClient({ fetch: fakeFetch(() => new Response('x', { status: 200 })).fn });
    expect((await plain.download('/y.csv')).filename).toBeNull();
  });
});
