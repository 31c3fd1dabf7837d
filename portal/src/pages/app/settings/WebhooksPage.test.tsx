import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '../../../i18n';
import { timeAgo } from '../../../lib/time';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { endpointHealth, WebhooksPage } from './WebhooksPage';

const EVENTS = ['conversation.created', 'conversation.assigned', 'conversation.resolved', 'message.created', 'message.status', 'contact.updated'];
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

const endpoint = (id: string, url: string, extra: Record<string, unknown> = {}) => ({
  id,
  url,
  description: null as string | null,
  events: ['message.created'],
  enabled: true,
  created_at: '2026-12-01T00:00:00Z',
  updated_at: '2026-12-01T00:00:00Z',
  last_success_at: null as string | null,
  last_failure_at: null as string | null,
  ...extra,
});
const crm = endpoint('e1', 'https://crm.example.com/hooks/chorus', {
  description: 'CRM sync',
  events: ['conversation.created', 'message.created', 'message.status'],
  last_success_at: ago(5 * 60_000),
  last_failure_at: ago(2 * 3600_000),
});
const warehouse = endpoint('e2', 'https://dw.example.com/in', { enabled: false, last_success_at: ago(3 * 86400_000), last_failure_at: ago(60_000) });

const delivery = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  endpoint_id: 'e1',
  event_id: `ev-${id}`,
  event: 'message.created',
  state: 'delivered',
  attempts: 1,
  response_status: 200,
  response_excerpt: '{"ok":true}',
  duration_ms: 42,
  created_at: ago(10 * 60_000),
  attempted_at: ago(10 * 60_000),
  delivered_at: ago(10 * 60_000),
  payload: { message: { id: `m-${id}`, body: 'Hola' } },
  ...extra,
});

type Handler = (body: Record<string, unknown>, url: URL) => Response;

function server(opts: { endpoints?: unknown[]; post?: Handler; patch?: Handler; deliveries?: Handler } = {}) {
  let items = [...(opts.endpoints ?? [crm, warehouse])] as ReturnType<typeof endpoint>[];
  const fn = vi.fn(async (raw: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const url = new URL(raw, 'http://x');
    const path = url.pathname;
    const body = init.body ? JSON.parse(String(init.body)) : {};
    const base = '/api/v1/webhook-endpoints';
    if (path === base && method === 'GET') return jsonResponse(200, { items, events: EVENTS });
    if (path === base && method === 'POST') {
      if (opts.post) return opts.post(body, url);
      const created = endpoint('e9', body.url, { description: body.description ?? null, events: body.events, enabled: body.enabled ?? true });
      items = [...items, created];
      return jsonResponse(201, { endpoint: created, secret: 'whsec_new_one_shown_once' });
    }
    const m = /^\/api\/v1\/webhook-endpoints\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) return jsonResponse(404, { error: { code: 'not_found', message: path } });
    const [, id, rest = ''] = m;
    const current = items.find((e) => e.id === id)!;
    if (rest === '' && method === 'GET') return jsonResponse(200, current);
    if (rest === '' && method === 'PATCH') {
      if (opts.patch) return opts.patch(body, url);
      const next = { ...current, ...body };
      items = items.map((e) => (e.id === id ? next : e));
      return jsonResponse(200, next);
    }
    if (rest === '' && method === 'DELETE') {
      items = items.filter((e) => e.id !== id);
      return new Response(null, { status: 204 });
    }
    if (rest === '/rotate-secret' && method === 'POST') return jsonResponse(200, { endpoint: current, secret: 'whsec_rotated_secret' });
    if (rest === '/ping' && method === 'POST') return jsonResponse(202, delivery('p1', { event: 'ping', state: 'pending', attempts: 0, response_status: null, response_excerpt: null, duration_ms: null, attempted_at: null, delivered_at: null }));
    if (rest === '/deliveries' && method === 'GET') {
      if (opts.deliveries) return opts.deliveries(body, url);
      return jsonResponse(200, { items: [delivery('d1')], next_cursor: null });
    }
    if (/^\/deliveries\/[^/]+\/redeliver$/.test(rest) && method === 'POST') return jsonResponse(202, delivery('d9', { state: 'pending', attempts: 0 }));
    return jsonResponse(404, { error: { code: 'not_found', message: path } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

const admin = () => fakeSession({ me: fakeMe(['settings:manage']) });
const calls = (fn: ReturnType<typeof server>, method: string, path?: string) =>
  fn.mock.calls
    .filter(([u, init]) => (init?.method ?? 'GET') === method && (!path || new URL(String(u), 'http://x').pathname === path))
    .map(([u, init]) => ({ url: new URL(String(u), 'http://x'), body: JSON.parse(String(init!.body ?? 'null')) }));
const rows = () => screen.findAllByTestId('webhook-endpoint');

async function openNewDialog() {
  fireEvent.click(await screen.findByRole('button', { name: /New endpoint|Add an endpoint/ }));
  return screen.findByRole('dialog', { name: 'New webhook endpoint' });
}

describe('WebhooksPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    void i18n.changeLanguage('en');
  });

  it('tells health from the latest attempt and says times in words', () => {
    expect(endpointHealth({ last_success_at: null, last_failure_at: null })).toBe('unknown');
    expect(endpointHealth({ last_success_at: '2026-01-01T00:00:00Z', last_failure_at: null })).toBe('ok');
    expect(endpointHealth({ last_success_at: '2026-01-01T00:00:00Z', last_failure_at: '2026-01-02T00:00:00Z' })).toBe('failing');
    expect(endpointHealth({ last_success_at: '2026-01-03T00:00:00Z', last_failure_at: '2026-01-02T00:00:00Z' })).toBe('ok');
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(timeAgo('2026-01-10T11:55:00Z', now)).toBe('5 minutes ago');
    expect(timeAgo('2026-01-10T10:00:00Z', now)).toBe('2 hours ago');
    expect(timeAgo('2026-01-09T12:00:00Z', now)).toBe('yesterday');
  });

  it('is off limits without settings:manage, and asks nothing', () => {
    const fn = server();
    renderPage(<WebhooksPage />, { session: fakeSession({ me: fakeMe(['conversations:reply', 'reports:view']) }) });
    expect(screen.getByText('No access')).toBeTruthy();
    expect(fn).not.toHaveBeenCalled();
  });

  it('explains webhooks when there are none, with the verification help', async () => {
    server({ endpoints: [] });
    renderPage(<WebhooksPage />, { session: admin() });
    const empty = await screen.findByTestId('webhooks-empty');
    expect(within(empty).getByText('Send your inbox’s events to your own systems')).toBeTruthy();
    expect(empty.textContent).toContain('keep a CRM in sync');
    expect(within(empty).getByRole('button', { name: 'Add an endpoint' })).toBeTruthy();
    const help = screen.getByTestId('webhooks-help');
    expect(within(help).getByText('X-Chorus-Signature')).toBeTruthy();
    expect(within(help).getByText('X-Chorus-Event-Id')).toBeTruthy();
    expect(help.textContent).toContain('up to 8 attempts over about a day');
    const code = screen.getByTestId('webhooks-snippet').textContent!;
    expect(code).toContain("crypto.createHmac('sha256', secret).update(`${t}.${rawBody}`)");
    expect(code).toContain('timingSafeEqual');
    expect(code).toContain('// Retries carry the same event id: handle each event once.');
  });

  it('lists the endpoints: URL, description, events, switch and health', async () => {
    server();
    renderPage(<WebhooksPage />, { session: admin() });
    const [first, second] = await rows();
    expect(within(first).getByTestId('endpoint-url').textContent).toBe('https://crm.example.com/hooks/chorus');
    expect(first.textContent).toContain('CRM sync');
    expect([...first.querySelectorAll('.chip')].map((c) => c.textContent)).toEqual(['conversation.created', 'message.created', 'message.status']);
    expect(within(first).getByTestId('endpoint-health').textContent).toBe('Last success 5 minutes agoLast failure 2 hours ago');
    expect(within(first).getByTestId('endpoint-health-dot').getAttribute('data-health')).toBe('ok');
    expect((within(first).getByRole('switch', { name: 'Switch off https://crm.example.com/hooks/chorus' }) as HTMLInputElement).checked).toBe(true);
    expect(second.textContent).toContain('No description');
    expect(within(second).getByText('Off')).toBeTruthy();
    expect(within(second).getByTestId('endpoint-health-dot').getAttribute('data-health')).toBe('failing');
    expect(within(second).getByTestId('endpoint-health-dot').getAttribute('aria-label')).toBe('Failing: the last delivery failed');
    for (const label of ['Send a test event to', 'Rotate the signing secret of', 'Edit', 'Delete']) {
      expect(within(first).getByRole('button', { name: `${label} https://crm.example.com/hooks/chorus` })).toBeTruthy();
    }
  });

  it('creates an endpoint and shows its secret once', async () => {
    const fn = server({ endpoints: [] });
    renderPage(<WebhooksPage />, { session: admin() });
    const dialog = await openNewDialog();
    const events = within(dialog).getByTestId('webhook-events');
    expect(within(events).getByText('Message status')).toBeTruthy();
    expect(within(events).getByText('A message you sent is sent, delivered, read or failed.')).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText('Endpoint URL'), { target: { value: '  https://crm.example.com/hooks/chorus ' } });
    fireEvent.change(within(dialog).getByLabelText('Description (optional)'), { target: { value: 'CRM sync' } });
    fireEvent.click(within(events).getByLabelText(/Message status/));
    fireEvent.click(within(events).getByLabelText(/New message/));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    await waitFor(() => expect(calls(fn, 'POST', '/api/v1/webhook-endpoints')).toHaveLength(1));
    // Kept in the server's order, whatever order they were ticked in.
    expect(calls(fn, 'POST', '/api/v1/webhook-endpoints')[0].body).toEqual({
      url: 'https://crm.example.com/hooks/chorus',
      description: 'CRM sync',
      events: ['message.created', 'message.status'],
      enabled: true,
    });
    const secretDialog = await screen.findByRole('dialog', { name: 'Endpoint added: copy its signing secret' });
    expect((within(secretDialog).getByTestId('webhook-secret') as HTMLInputElement).value).toBe('whsec_new_one_shown_once');
    expect(secretDialog.textContent).toContain('You will not see it again');
    expect(within(secretDialog).getByRole('button', { name: 'Copy' })).toBeTruthy();
    // A click outside does not lose it.
    fireEvent.mouseDown(secretDialog.parentElement!);
    expect(screen.getByRole('dialog', { name: 'Endpoint added: copy its signing secret' })).toBeTruthy();
    fireEvent.click(within(secretDialog).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.body.textContent).not.toContain('whsec_new_one_shown_once');
    const [row] = await rows();
    expect(row.textContent).toContain('https://crm.example.com/hooks/chorus');
    expect(row.textContent).toContain('No deliveries yet');
  });

  it('copies the secret to the clipboard', async () => {
    server({ endpoints: [] });
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    renderPage(<WebhooksPage />, { session: admin() });
    const dialog = await openNewDialog();
    fireEvent.change(within(dialog).getByLabelText('Endpoint URL'), { target: { value: 'https://a.example.com/h' } });
    fireEvent.click(within(dialog).getByLabelText('Select all'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    const secretDialog = await screen.findByRole('dialog', { name: 'Endpoint added: copy its signing secret' });
    fireEvent.click(within(secretDialog).getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith('whsec_new_one_shown_once'));
    expect(await screen.findByText('Secret copied to the clipboard.')).toBeTruthy();
  });

  it('“Select all” ticks every event, and checks the form before sending', async () => {
    const fn = server({ endpoints: [] });
    renderPage(<WebhooksPage />, { session: admin() });
    const dialog = await openNewDialog();
    const events = within(dialog).getByTestId('webhook-events');
    const all = within(events).getByLabelText('Select all') as HTMLInputElement;
    fireEvent.click(within(events).getByLabelText(/Contact updated/));
    expect(all.indeterminate).toBe(true);
    fireEvent.click(all);
    expect(within(events).getAllByRole('checkbox').filter((c) => (c as HTMLInputElement).checked)).toHaveLength(7);
    fireEvent.click(all);
    expect(within(events).getAllByRole('checkbox').filter((c) => (c as HTMLInputElement).checked)).toHaveLength(0);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    expect(await within(dialog).findByText('Enter the URL Chorus should call.')).toBeTruthy();
    expect(within(dialog).getByTestId('events-error').textContent).toBe('Choose at least one event.');
    fireEvent.change(within(dialog).getByLabelText('Endpoint URL'), { target: { value: 'ftp://example.com/x' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    expect(await within(dialog).findByText('The URL must start with https:// (or http://).')).toBeTruthy();
    expect(calls(fn, 'POST')).toHaveLength(0);
  });

  it('shows the server’s field errors at the URL and the events, and others above the form', async () => {
    let answer = 0;
    server({
      endpoints: [],
      post: () =>
        ++answer === 1
          ? jsonResponse(422, {
              error: {
                code: 'validation_failed',
                message: 'Invalid.',
                fields: { url: 'The URL points to 10.0.0.5, a private, loopback or reserved address; webhooks go only to public addresses.', events: 'Choose at least one event.' },
              },
            })
          : jsonResponse(422, { error: { code: 'too_many_endpoints', message: 'A business has at most 20 webhook endpoints; remove one first.' } }),
    });
    renderPage(<WebhooksPage />, { session: admin() });
    const dialog = await openNewDialog();
    fireEvent.change(within(dialog).getByLabelText('Endpoint URL'), { target: { value: 'http://10.0.0.5/hook' } });
    fireEvent.click(within(dialog).getByLabelText(/New message/));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    const url = within(dialog).getByLabelText('Endpoint URL');
    await waitFor(() => expect(url.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(url.getAttribute('aria-describedby')!)!.textContent).toContain('The URL points to 10.0.0.5, a private, loopback or reserved address');
    expect(within(dialog).getByTestId('events-error').textContent).toBe('Choose at least one event.');
    expect(within(dialog).getByText('Please correct the highlighted fields.')).toBeTruthy();
    expect((url as HTMLInputElement).value).toBe('http://10.0.0.5/hook');
    fireEvent.change(url, { target: { value: 'https://ok.example.com/h' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    expect(await within(dialog).findByText('A business has at most 20 webhook endpoints; remove one first.')).toBeTruthy();
    expect(url.getAttribute('aria-invalid')).toBeNull();
  });

  it('the switch sends PATCH {enabled}', async () => {
    const fn = server();
    renderPage(<WebhooksPage />, { session: admin() });
    await rows();
    fireEvent.click(screen.getByRole('switch', { name: 'Switch on https://dw.example.com/in' }));
    await waitFor(() => expect(calls(fn, 'PATCH', '/api/v1/webhook-endpoints/e2')).toHaveLength(1));
    expect(calls(fn, 'PATCH', '/api/v1/webhook-endpoints/e2')[0].body).toEqual({ enabled: true });
    expect(await screen.findByRole('switch', { name: 'Switch off https://dw.example.com/in' })).toBeTruthy();
    expect(screen.getByText('Events are sent to https://dw.example.com/in again.')).toBeTruthy();
  });

  it('a refused switch says why above the list', async () => {
    server({ patch: () => jsonResponse(403, { error: { code: 'forbidden', message: 'No.' } }) });
    renderPage(<WebhooksPage />, { session: admin() });
    await rows();
    fireEvent.click(screen.getByRole('switch', { name: 'Switch off https://crm.example.com/hooks/chorus' }));
    expect(await screen.findByText("You don't have permission to do that.")).toBeTruthy();
    expect((screen.getByRole('switch', { name: 'Switch off https://crm.example.com/hooks/chorus' }) as HTMLInputElement).checked).toBe(true);
  });

  it('edits an endpoint, sending only what changed (an emptied description removes it)', async () => {
    const fn = server();
    renderPage(<WebhooksPage />, { session: admin() });
    await rows();
    fireEvent.click(screen.getByRole('button', { name: 'Edit https://crm.example.com/hooks/chorus' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit webhook endpoint' });
    expect((within(dialog).getByLabelText('Endpoint URL') as HTMLInputElement).value).toBe('https://crm.example.com/hooks/chorus');
    expect((within(dialog).getByLabelText(/Message status/) as HTMLInputElement).checked).toBe(true);
    fireEvent.change(within(dialog).getByLabelText('Description (optional)'), { target: { value: '' } });
    fireEvent.click(within(dialog).getByLabelText(/Conversation resolved/));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls(fn, 'PATCH', '/api/v1/webhook-endpoints/e1')).toHaveLength(1));
    expect(calls(fn, 'PATCH', '/api/v1/webhook-endpoints/e1')[0].body).toEqual({
      description: '',
      events: ['conversation.created', 'conversation.resolved', 'message.created', 'message.status'],
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByText('Endpoint saved.')).toBeTruthy();
  });

  it('rotates the secret only after confirming, then shows the new one', async () => {
    const fn = server();
    renderPage(<WebhooksPage />, { session: admin() });
    await rows();
    fireEvent.click(screen.getByRole('button', { name: 'Rotate the signing secret of https://crm.example.com/hooks/chorus' }));
    let confirm = await screen.findByRole('dialog', { name: 'Rotate the signing secret?' });
    expect(confirm.textContent).toContain('the old one stops working at once');
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls(fn, 'POST')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Rotate the signing secret of https://crm.example.com/hooks/chorus' }));
    confirm = await screen.findByRole('dialog', { name: 'Rotate the signing secret?' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Rotate secret' }));
    const shown = await screen.findByRole('dialog', { name: 'New signing secret' });
    expect(calls(fn, 'POST', '/api/v1/webhook-endpoints/e1/rotate-secret')).toHaveLength(1);
    expect((within(shown).getByTestId('webhook-secret') as HTMLInputElement).value).toBe('whsec_rotated_secret');
    expect(shown.textContent).toContain('You will not see it again');
  });

  it('deletes after confirming', async () => {
    const fn = server();
    renderPage(<WebhooksPage />, { session: admin() });
    await rows();
    fireEvent.click(screen.getByRole('button', { name: 'Delete https://dw.example.com/in' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this endpoint?' });
    expect(dialog.textContent).toContain('https://dw.example.com/in stops receiving events at once');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(calls(fn, 'DELETE', '/api/v1/webhook-endpoints/e2')).toHaveLength(1));
    await waitFor(() => expect(screen.getAllByTestId('webhook-endpoint')).toHaveLength(1));
  });

  it('a test event opens the delivery log with it; refresh shows the result and re-reads the health', async () => {
    let pingState: 'pending' | 'delivered' = 'pending';
    const fn = server({
      deliveries: () =>
        jsonResponse(200, {
          items: [
            pingState === 'pending'
              ? delivery('p1', { event: 'ping', state: 'pending', attempts: 0, response_status: null, response_excerpt: null, duration_ms: null, attempted_at: null, delivered_at: null })
              : delivery('p1', { event: 'ping', response_excerpt: 'pong' }),
          ],
          next_cursor: null,
        }),
    });
    renderPage(<WebhooksPage />, { session: admin() });
    await rows();
    fireEvent.click(screen.getByRole('button', { name: 'Send a test event to https://crm.example.com/hooks/chorus' }));
    await waitFor(() => expect(calls(fn, 'POST', '/api/v1/webhook-endpoints/e1/ping')).toHaveLength(1));
    const log = await screen.findByTestId('delivery-log');
    const pending = await within(log).findByTestId('webhook-delivery');
    expect(pending.getAttribute('data-state')).toBe('pending');
    expect(pending.textContent).toContain('Queued');
    expect(screen.getByText('Test event queued. Its result shows in the delivery log in a few seconds.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Hide the deliveries to https://crm.example.com/hooks/chorus' }).getAttribute('aria-expanded')).toBe('true');
    pingState = 'delivered';
    fireEvent.click(within(log).getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(within(log).getByTestId('webhook-delivery').getAttribute('data-state')).toBe('delivered'));
    expect(within(log).getByTestId('delivery-status').textContent).toBe('HTTP 200');
    expect(within(log).getByTestId('delivery-response').textContent).toBe('pong');
    await waitFor(() => expect(calls(fn, 'GET', '/api/v1/webhook-endpoints/e1')).toHaveLength(1));
  });

  it('the delivery log: newest first, state filter, load more, payload and send again', async () => {
    const fn = server({
      deliveries: (_b, url) => {
        const state = url.searchParams.get('state');
        if (state === 'failed') {
          return jsonResponse(200, {
            items: [delivery('f1', { state: 'failed', attempts: 8, response_status: 500, response_excerpt: 'Internal Server Error', duration_ms: 1200 })],
            next_cursor: null,
          });
        }
        if (url.searchParams.get('cursor') === 'c2') return jsonResponse(200, { items: [delivery('d3', { event: 'message.status' })], next_cursor: null });
        return jsonResponse(200, {
          items: [delivery('d1'), delivery('d2', { state: 'pending', attempts: 2, response_status: null, response_excerpt: 'Could not connect: connection refused', duration_ms: 3 })],
          next_cursor: 'c2',
        });
      },
    });
    renderPage(<WebhooksPage />, { session: admin() });
    await rows();
    fireEvent.click(screen.getByRole('button', { name: 'Show the deliveries to https://crm.example.com/hooks/chorus' }));
    const log = await screen.findByTestId('delivery-log');
    let items = await within(log).findAllByTestId('webhook-delivery');
    expect(items.map((d) => d.getAttribute('data-state'))).toEqual(['delivered', 'pending']);
    expect(items[0].textContent).toContain('message.created');
    expect(items[0].textContent).toContain('1 attempt');
    expect(items[0].textContent).toContain('42 ms');
    expect(items[0].textContent).toContain('Sent 10 minutes ago');
    expect(within(items[1]).getByText('Retrying')).toBeTruthy();
    expect(within(items[1]).getByTestId('delivery-status').textContent).toBe('No answer');
    expect(items[1].textContent).toContain('2 attempts');
    expect(within(items[1]).getByTestId('delivery-response').textContent).toBe('Could not connect: connection refused');
    const payload = within(items[0]).getByTestId('delivery-payload');
    expect(payload.closest('details')!.open).toBe(false);
    expect(payload.textContent).toBe(JSON.stringify({ message: { id: 'm-d1', body: 'Hola' } }, null, 2));
    expect(items[0].textContent).toContain('ev-d1');

    fireEvent.click(within(log).getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(within(log).getAllByTestId('webhook-delivery')).toHaveLength(3));
    expect(calls(fn, 'GET').some((c) => c.url.pathname.endsWith('/deliveries') && c.url.searchParams.get('cursor') === 'c2')).toBe(true);
    expect(within(log).queryByRole('button', { name: 'Load more' })).toBeNull();

    fireEvent.click(within(within(log).getByRole('group', { name: 'Show deliveries' })).getByRole('button', { name: 'Failed' }));
    await waitFor(() => expect(within(log).getAllByTestId('webhook-delivery')).toHaveLength(1));
    const deliveryCalls = calls(fn, 'GET').filter((c) => c.url.pathname.endsWith('/deliveries'));
    expect(deliveryCalls.at(-1)!.url.searchParams.get('state')).toBe('failed');
    items = within(log).getAllByTestId('webhook-delivery');
    expect(within(items[0]).getByText('Failed')).toBeTruthy();
    expect(within(items[0]).getByTestId('delivery-status').textContent).toBe('HTTP 500');
    expect(items[0].textContent).toContain('8 attempts');

    fireEvent.click(within(items[0]).getByRole('button', { name: 'Send the message.created event again' }));
    await waitFor(() => expect(calls(fn, 'POST', '/api/v1/webhook-endpoints/e1/deliveries/f1/redeliver')).toHaveLength(1));
    expect(await screen.findByText('Queued again: a new delivery of the same event.')).toBeTruthy();
    // The log is read again after sending.
    await waitFor(() => expect(calls(fn, 'GET').filter((c) => c.url.pathname.endsWith('/deliveries')).length).toBe(deliveryCalls.length + 1));
  });

  it('an empty log says so, per filter', async () => {
    server({ deliveries: () => jsonResponse(200, { items: [], next_cursor: null }) });
    renderPage(<WebhooksPage />, { session: admin() });
    await rows();
    fireEvent.click(screen.getByRole('button', { name: 'Show the deliveries to https://crm.example.com/hooks/chorus' }));
    expect(await screen.findByText('Nothing has been sent to this endpoint yet. Send a test event to try it.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Delivered' }));
    expect(await screen.findByText('No deliveries have succeeded yet.')).toBeTruthy();
  });

  it('a server without webhooks shows a note', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(404, { error: { code: 'not_found', message: 'No route.' } })));
    renderPage(<WebhooksPage />, { session: admin() });
    expect(await screen.findByText('This server does not support outgoing webhooks yet.')).toBeTruthy();
  });

  it('speaks Spanish', async () => {
    server();
    await act(async () => {
      await i18n.changeLanguage('es');
    });
    renderPage(<WebhooksPage />, { session: admin() });
    const [first] = await rows();
    expect(first.textContent).toContain('Último éxito hace 5 minutos');
    expect(screen.getByRole('heading', { name: 'Cómo verificar un envío' })).toBeTruthy();
    expect(screen.getByTestId('webhooks-snippet').textContent).toContain('// Los reintentos llevan el mismo id de evento');
    fireEvent.click(screen.getByRole('button', { name: 'Nuevo destino' }));
    const dialog = await screen.findByRole('dialog', { name: 'Nuevo destino de webhook' });
    expect(within(dialog).getByText('Estado del mensaje')).toBeTruthy();
    expect(within(dialog).getByText('Un mensaje que enviaste se envía, se entrega, se lee o falla.')).toBeTruthy();
  });
});
