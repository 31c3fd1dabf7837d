import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Conversation, Message, WhatsAppNumber } from '../../../api';
import { resetFeatures } from '../../../lib/features';
import { createRealtimeClient } from '../../../lib/realtime';
import { RealtimeProvider } from '../../../lib/RealtimeProvider';
import { fakeMe, fakeSession, jsonResponse, renderRoutes } from '../../../test/render';
import { FakeWebSocket, fakeJwt, installFakeWebSocket } from '../../../test/websocket';
import { forgetMentionables } from './ConversationView';
import { forgetTeamInbox, InboxPage } from './InboxPage';

const hours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

const sandbox: WhatsAppNumber = {
  id: 'n1',
  phone_number_id: 'sandbox-1',
  waba_id: 'w1',
  display_phone_number: '15550000000',
  verified_name: 'Sandbox',
  quality_rating: 'GREEN',
  messaging_limit: null,
  throughput_per_second: 80,
  status: 'connected',
  sandbox: true,
  created_at: '2026-11-22T09:00:00Z',
};

function conversation(id: string, partial: Partial<Conversation> = {}): Conversation {
  return {
    id,
    number_id: 'n1',
    contact: { id: `ct-${id}`, wa_id: '34600111222', name: 'Carla Cliente' },
    status: 'open',
    assignee_id: null,
    last_message_at: new Date().toISOString(),
    last_message_preview: 'Hola!',
    last_inbound_at: new Date().toISOString(),
    window_expires_at: hours(3),
    window_open: true,
    referral: null,
    opened_at: new Date().toISOString(),
    resolved_at: null,
    priority: 'none',
    team_id: null,
    team_name: null,
    tags: [],
    snoozed_until: null,
    waiting_since: null,
    viewers: [],
    ...partial,
  };
}

function message(id: string, partial: Partial<Message> = {}): Message {
  return {
    id,
    conversation_id: 'c1',
    direction: 'inbound',
    kind: 'text',
    body: 'Hola!',
    content: { type: 'text', body: 'Hola!' },
    wamid: `wamid.${id}`,
    reply_to_wamid: null,
    status: 'received',
    error_code: null,
    error_title: null,
    error_explanation: null,
    sender_type: 'contact',
    sender_id: 'ct-c1',
    sent_at: new Date().toISOString(),
    status_at: new Date().toISOString(),
    ...partial,
  };
}

interface Server {
  conversations: Conversation[];
  messages: Message[];
  /** Answer 404 for these path prefixes (a server without issue 4). */
  missing?: string[];
  /** `GET /api/v1/contacts/{id}` answers. */
  contacts?: Record<string, unknown>;
}

function fakeServer(server: Server) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const u = new URL(url, 'http://x');
    const method = init.method ?? 'GET';
    if (server.missing?.some((p) => u.pathname.includes(p))) return jsonResponse(404, { error: { code: 'not_found', message: 'No route.' } });
    if (u.pathname === '/api/v1/numbers') return jsonResponse(200, { items: [sandbox], next_cursor: null });
    if (u.pathname === '/api/v1/mentionables') return jsonResponse(200, { agents: [{ id: 'm2', name: 'Luis' }], teams: [] });
    const contact = /^\/api\/v1\/contacts\/([^/]+)$/.exec(u.pathname);
    if (contact && server.contacts?.[contact[1]]) return jsonResponse(200, server.contacts[contact[1]]);
    if (u.pathname === '/api/v1/conversations') return jsonResponse(200, { items: server.conversations, next_cursor: null });
    const one = /^\/api\/v1\/conversations\/([^/]+)$/.exec(u.pathname);
    if (one && method === 'PATCH') {
      const c = server.conversations.find((x) => x.id === one[1])!;
      const changes = JSON.parse(String(init.body));
      Object.assign(c, changes);
      return jsonResponse(200, c);
    }
    if (one) {
      const found = server.conversations.find((c) => c.id === one[1]);
      return found ? jsonResponse(200, found) : jsonResponse(404, { error: { code: 'not_found', message: 'No.' } });
    }
    if (/\/(viewing|typing|read)$/.test(u.pathname)) return new Response(null, { status: method === 'POST' && u.pathname.endsWith('/read') ? 202 : 204 });
    const notes = /^\/api\/v1\/conversations\/([^/]+)\/notes$/.exec(u.pathname);
    if (notes) {
      const body = JSON.parse(String(init.body));
      return jsonResponse(201, message('09', { direction: 'internal', kind: 'note', body: body.body, sender_type: 'agent', sender_id: 'm1', content: { mentions: [] } }));
    }
    const msgs = /^\/api\/v1\/conversations\/([^/]+)\/messages$/.exec(u.pathname);
    if (msgs) return jsonResponse(200, { items: server.messages.filter((m) => m.conversation_id === msgs[1]), next_cursor: null });
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

const routes = [
  { path: '/inbox', element: <InboxPage /> },
  { path: '/inbox/:conversationId', element: <InboxPage /> },
];
const perms = ['conversations:read_all', 'conversations:reply', 'conversations:assign', 'notes:write'];
const session = () => fakeSession({ me: fakeMe(perms) });
const calls = (fn: ReturnType<typeof fakeServer>, method: string, path: string | RegExp) =>
  fn.mock.calls.filter(([u, init]) => (init?.method ?? 'GET') === method && (typeof path === 'string' ? String(u).split('?')[0] === path : path.test(String(u))));

afterEach(() => {
  vi.unstubAllGlobals();
  resetFeatures();
  forgetMentionables();
  forgetTeamInbox();
  localStorage.clear();
});

describe('team inbox: list', () => {
  it('turns the address into the list query and the tabs into filters', async () => {
    const fn = fakeServer({ conversations: [conversation('c1', { priority: 'urgent', tags: [{ id: 'tg1', name: 'VIP', color: '#dc2626' }] })], messages: [] });
    renderRoutes(routes, { path: '/inbox?status=pending&priority=high&sort=waiting&q=zapato', session: session() });
    await waitFor(() => expect(calls(fn, 'GET', '/api/v1/conversations').length).toBeGreaterThan(0));
    const first = new URL(String(calls(fn, 'GET', '/api/v1/conversations')[0][0]), 'http://x').searchParams;
    expect(Object.fromEntries(first)).toEqual({ status: 'pending', priority: 'high', sort: 'waiting', q: 'zapato', limit: '50' });

    fireEvent.click(screen.getByRole('button', { name: 'Mine' }));
    await waitFor(() => {
      const last = new URL(String(calls(fn, 'GET', '/api/v1/conversations').at(-1)![0]), 'http://x').searchParams;
      expect(last.get('assignee')).toBe('me');
    });
    fireEvent.click(screen.getByRole('tab', { name: 'Snoozed' }));
    await waitFor(() => {
      const last = new URL(String(calls(fn, 'GET', '/api/v1/conversations').at(-1)![0]), 'http://x').searchParams;
      expect(last.get('status')).toBe('snoozed');
    });
  });

  it('shows priority and tags on each row; filters and search appear for a server that has them', async () => {
    const fn = fakeServer({ conversations: [conversation('c1', { priority: 'urgent', tags: [{ id: 'tg1', name: 'VIP', color: '#dc2626' }] })], messages: [] });
    renderRoutes(routes, { path: '/inbox', session: session() });
    const row = await screen.findByTestId('conversation-item');
    expect(within(row).getByTestId('priority').textContent).toBe('Urgent');
    expect(within(row).getByTestId('conversation-tags').textContent).toBe('VIP');
    const search = screen.getByLabelText('Search conversations');
    fireEvent.change(search, { target: { value: 'rojo' } });
    fireEvent.keyDown(search, { key: 'Enter' });
    await waitFor(() => expect(String(calls(fn, 'GET', '/api/v1/conversations').at(-1)![0])).toContain('q=rojo'));
    fireEvent.click(screen.getByTestId('filters-toggle'));
    fireEvent.click(screen.getByLabelText('Window closing within the hour'));
    await waitFor(() => expect(String(calls(fn, 'GET', '/api/v1/conversations').at(-1)![0])).toContain('window=closing'));
    fireEvent.change(screen.getByLabelText('Priority'), { target: { value: 'urgent' } });
    await waitFor(() => expect(String(calls(fn, 'GET', '/api/v1/conversations').at(-1)![0])).toContain('priority=urgent'));
  });

  it('an older server (no priority field) gets no search or filters, and "Mine" still filters on screen', async () => {
    const old = (id: string, p: Partial<Conversation>) => {
      const c = conversation(id, p) as Partial<Conversation>;
      delete c.priority;
      delete c.tags;
      delete c.viewers;
      return c as Conversation;
    };
    fakeServer({ conversations: [old('c1', { assignee_id: 'm1' }), old('c2', { assignee_id: null, contact: { id: 'x', wa_id: '1555', name: 'Otro' } })], messages: [] });
    renderRoutes(routes, { path: '/inbox', session: session() });
    expect(await screen.findAllByTestId('conversation-item')).toHaveLength(2);
    expect(screen.queryByLabelText('Search conversations')).toBeNull();
    expect(screen.queryByTestId('filters-toggle')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Mine' }));
    await waitFor(() => expect(screen.getAllByTestId('conversation-item')).toHaveLength(1));
    expect(screen.getByTestId('conversation-item').textContent).toContain('Carla Cliente');
  });
});

describe('team inbox: conversation', () => {
  it('three panes: the contact panel shows status, priority, team, tags and the window', async () => {
    fakeServer({
      conversations: [conversation('c1', { priority: 'high', team_id: 'tm1', team_name: 'Sales', tags: [{ id: 'tg1', name: 'VIP', color: '#dc2626' }], referral: { headline: 'Winter sale', source_url: 'https://fb.me/ad' } })],
      messages: [message('01')],
    });
    renderRoutes(routes, { path: '/inbox/c1', session: session() });
    const panel = await screen.findByTestId('contact-panel');
    expect(panel.textContent).toContain('Carla Cliente');
    expect(panel.textContent).toContain('+34 600 111 222');
    expect(panel.textContent).toContain('34600111222');
    expect(panel.textContent).toContain('High');
    expect(panel.textContent).toContain('Sales');
    expect(panel.textContent).toContain('VIP');
    expect(within(panel).getByTestId('panel-window').textContent).toMatch(/^Window closes in/);
    expect(within(panel).getByTestId('panel-referral').textContent).toContain('Winter sale');
    // Collapses behind its button.
    fireEvent.click(screen.getByTestId('contact-panel-toggle'));
    expect(screen.queryByTestId('contact-panel')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Show contact details' }));
    expect(screen.getByTestId('contact-panel')).toBeTruthy();
  });

  it('the contact panel reads the contact: its tags and past conversations, without a search', async () => {
    const fn = fakeServer({
      conversations: [conversation('c1')],
      messages: [message('01')],
      contacts: {
        'ct-c1': {
          id: 'ct-c1',
          wa_id: '34600111222',
          name: 'Carla Cliente',
          tags: [{ id: 'tg2', name: 'Wholesale', colour: '#2563eb' }],
          conversations: [
            { id: 'c1', number_id: 'n1', status: 'open', opened_at: '2026-01-03T10:00:00Z', resolved_at: null, last_message_preview: 'now' },
            { id: 'c0', number_id: 'n1', status: 'resolved', opened_at: '2025-12-01T10:00:00Z', resolved_at: '2025-12-02T10:00:00Z', last_message_preview: 'The red sneakers, size 42' },
          ],
          created_at: '2025-12-01T10:00:00Z',
        },
      },
    });
    renderRoutes(routes, { path: '/inbox/c1', session: session() });
    const history = await screen.findByTestId('panel-history');
    const items = within(history).getAllByTestId('panel-history-item');
    expect(items).toHaveLength(1); // not the one that is open
    expect(items[0].textContent).toContain('The red sneakers, size 42');
    expect(items[0].getAttribute('href')).toBe('/inbox/c0');
    expect(screen.getByTestId('contact-panel').textContent).toContain('Wholesale');
    expect(calls(fn, 'GET', '/api/v1/contacts/ct-c1').length).toBeGreaterThan(0);
    expect(calls(fn, 'GET', '/api/v1/conversations').every(([u]) => !String(u).includes('q='))).toBe(true);
  });

  it('the contact panel shows attributes, opt-in and a blocked customer, with a link to the profile', async () => {
    fakeServer({
      conversations: [conversation('c1')],
      messages: [message('01')],
      contacts: {
        'ct-c1': {
          id: 'ct-c1',
          wa_id: '34600111222',
          name: 'Carla Cliente',
          email: 'carla@example.com',
          attributes: { plan: 'gold', seats: 3 },
          opt_in: { state: 'opted_out', changed_at: '2026-01-01T10:00:00Z', source: 'import' },
          blocked: true,
          blocked_at: '2026-01-02T10:00:00Z',
          tags: [],
          conversations: [],
          created_at: '2025-12-01T10:00:00Z',
        },
      },
    });
    renderRoutes(routes, { path: '/inbox/c1', session: fakeSession({ me: fakeMe([...perms, 'contacts:manage']) }) });
    const attrs = await screen.findByTestId('panel-attributes');
    expect(attrs.textContent).toContain('plan');
    expect(attrs.textContent).toContain('gold');
    expect(attrs.textContent).toContain('3');
    expect(screen.getByTestId('panel-opt-in').textContent).toBe('Opted out');
    expect(screen.getByTestId('panel-blocked').textContent).toContain('Blocked');
    expect(screen.getByTestId('contact-panel').textContent).toContain('carla@example.com');
    expect(screen.getByTestId('panel-profile-link').getAttribute('href')).toBe('/settings/contacts/ct-c1');
  });

  it('renders notes (with mentions) and activity lines apart from customer messages', async () => {
    fakeServer({
      conversations: [conversation('c1')],
      messages: [
        message('01'),
        message('02', { direction: 'internal', kind: 'activity', body: 'Ana assigned the conversation to Luis: 2 of 5 open', sender_type: 'system', sender_id: null, content: { action: 'assigned' } }),
        message('03', { direction: 'internal', kind: 'note', body: 'Careful @Luis, VIP customer', sender_type: 'agent', sender_id: 'm2', sender_name: 'Ana', content: { mentions: [{ type: 'agent', id: 'm2', name: 'Luis' }] } }),
      ],
    });
    renderRoutes(routes, { path: '/inbox/c1', session: session() });
    const note = await screen.findByTestId('note');
    expect(note.textContent).toContain('Internal note · Ana');
    expect(within(note).getByTestId('mention').textContent).toBe('@Luis');
    expect(screen.getByTestId('activity').textContent).toContain('Ana assigned the conversation to Luis');
    // Neither is a customer or business bubble.
    expect(screen.getAllByTestId('message')).toHaveLength(1);
  });

  it('saves a note through POST /notes with its mentions', async () => {
    const fn = fakeServer({ conversations: [conversation('c1')], messages: [message('01')] });
    renderRoutes(routes, { path: '/inbox/c1', session: session() });
    await screen.findByTestId('conversation-title');
    fireEvent.click(screen.getByRole('button', { name: 'Note' }));
    const box = await screen.findByLabelText('Internal note');
    fireEvent.change(box, { target: { value: 'Ask @Lu', selectionStart: 7 } });
    fireEvent.keyDown(await screen.findByLabelText('Internal note'), { key: 'Enter' }); // picks Luis
    await waitFor(() => expect((screen.getByLabelText('Internal note') as HTMLTextAreaElement).value).toBe('Ask @Luis '));
    fireEvent.keyDown(screen.getByLabelText('Internal note'), { key: 'Enter' });
    await waitFor(() => expect(calls(fn, 'POST', '/api/v1/conversations/c1/notes')).toHaveLength(1));
    expect(JSON.parse(String(calls(fn, 'POST', '/api/v1/conversations/c1/notes')[0][1]!.body))).toEqual({ body: 'Ask @Luis', mentions: [{ type: 'agent', id: 'm2' }] });
    expect(await screen.findByTestId('note')).toBeTruthy();
  });

  it('snoozes with a quick choice, sets the priority', async () => {
    const fn = fakeServer({ conversations: [conversation('c1')], messages: [message('01')] });
    renderRoutes(routes, { path: '/inbox/c1', session: session() });
    await screen.findByTestId('conversation-title');
    fireEvent.click(screen.getByTestId('snooze-picker'));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Tomorrow at 9:00' }));
    await waitFor(() => expect(calls(fn, 'PATCH', '/api/v1/conversations/c1')).toHaveLength(1));
    const body = JSON.parse(String(calls(fn, 'PATCH', '/api/v1/conversations/c1')[0][1]!.body));
    expect(body.status).toBe('snoozed');
    const until = new Date(body.snoozed_until);
    expect(until.getHours()).toBe(9);
    expect(until.getTime()).toBeGreaterThan(Date.now());
    expect(await screen.findByRole('button', { name: 'Unsnooze' })).toBeTruthy();

    fireEvent.click(screen.getByTestId('priority-picker'));
    fireEvent.click(screen.getByRole('menuitemradio', { name: 'Urgent' }));
    await waitFor(() => expect(calls(fn, 'PATCH', '/api/v1/conversations/c1')).toHaveLength(2));
    expect(JSON.parse(String(calls(fn, 'PATCH', '/api/v1/conversations/c1')[1][1]!.body))).toEqual({ priority: 'urgent' });
  });

  it('sends viewing heartbeats and shows who else is viewing and typing', async () => {
    installFakeWebSocket();
    const fn = fakeServer({ conversations: [conversation('c1', { viewers: [{ membership_id: 'm3', name: 'Ana' }, { membership_id: 'm1', name: 'Me' }] })], messages: [message('01')] });
    const client = createRealtimeClient({ getToken: () => fakeJwt(Math.floor(Date.now() / 1000) + 900), refreshToken: async () => null });
    renderRoutes(
      [{ path: '/inbox/:conversationId', element: <RealtimeProvider client={client} options={{ debounceMs: 10 }}><InboxPage /></RealtimeProvider> }],
      { path: '/inbox/c1', session: session() },
    );
    expect((await screen.findByTestId('viewers')).textContent).toBe('Ana is viewing');
    await waitFor(() => expect(calls(fn, 'POST', '/api/v1/conversations/c1/viewing')).toHaveLength(1));
    const ws = FakeWebSocket.last;
    act(() => ws.accept('1'));
    act(() => ws.frame({ type: 'event', cursor: '2', kind: 'typing', conversation_id: 'c1', data: { membership_id: 'm2', name: 'Luis', typing: true } }));
    expect((await screen.findByTestId('typing-indicator')).textContent).toBe('Luis is typing…');
    act(() => ws.frame({ type: 'event', cursor: '3', kind: 'viewers', conversation_id: 'c1', data: { viewers: [{ membership_id: 'm3', name: 'Ana' }, { membership_id: 'm4', name: 'Bruno' }] } }));
    await waitFor(() => expect(screen.getByTestId('viewers').textContent).toBe('Ana and Bruno are viewing'));
    act(() => ws.frame({ type: 'event', cursor: '4', kind: 'typing', conversation_id: 'c1', data: { membership_id: 'm2', name: 'Luis', typing: false } }));
    await waitFor(() => expect(screen.queryByTestId('typing-indicator')).toBeNull());
    // Frames about another conversation change nothing here.
    act(() => ws.frame({ type: 'event', cursor: '5', kind: 'typing', conversation_id: 'c2', data: { membership_id: 'm2', name: 'Luis', typing: true } }));
    expect(screen.queryByTestId('typing-indicator')).toBeNull();
  });

  it('takes the composer lease while typing a reply and releases it when sent', async () => {
    const fn = fakeServer({ conversations: [conversation('c1')], messages: [message('01')] });
    renderRoutes(routes, { path: '/inbox/c1', session: session() });
    const box = await screen.findByLabelText('Reply');
    fireEvent.change(box, { target: { value: 'Hi' } });
    fireEvent.change(box, { target: { value: 'Hi there' } });
    await waitFor(() => expect(calls(fn, 'POST', '/api/v1/conversations/c1/typing')).toHaveLength(1));
    fireEvent.change(box, { target: { value: '' } });
    await waitFor(() => expect(calls(fn, 'DELETE', '/api/v1/conversations/c1/typing')).toHaveLength(1));
  });

  it('hides what the server lacks: 404 on viewing and notes does not break the page', async () => {
    fakeServer({ conversations: [conversation('c1')], messages: [message('01')], missing: ['/viewing', '/mentionables', '/typing'] });
    renderRoutes(routes, { path: '/inbox/c1', session: session() });
    expect(await screen.findByTestId('conversation-title')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Note' })).toBeNull());
    fireEvent.change(screen.getByLabelText('Reply'), { target: { value: 'Hi' } });
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('team inbox: keyboard shortcuts', () => {
  it('j/k move through the list, e resolves, ? lists the shortcuts; typing in a box is left alone', async () => {
    const fn = fakeServer({
      conversations: [conversation('c1'), conversation('c2', { contact: { id: 'ct2', wa_id: '447700900123', name: 'Bruno' }, last_message_at: new Date(Date.now() - 60_000).toISOString() })],
      messages: [message('01')],
    });
    renderRoutes(routes, { path: '/inbox', session: session() });
    await screen.findAllByTestId('conversation-item');
    fireEvent.keyDown(document.body, { key: 'j' });
    expect((await screen.findByTestId('conversation-title')).textContent).toBe('Carla Cliente');
    fireEvent.keyDown(document.body, { key: 'j' });
    await waitFor(() => expect(screen.getByTestId('conversation-title').textContent).toBe('Bruno'));
    fireEvent.keyDown(document.body, { key: 'k' });
    await waitFor(() => expect(screen.getByTestId('conversation-title').textContent).toBe('Carla Cliente'));

    // In the reply box, "e" is just a letter.
    const box = screen.getByLabelText('Reply');
    fireEvent.keyDown(box, { key: 'e' });
    expect(calls(fn, 'PATCH', /conversations\/c1$/)).toHaveLength(0);

    fireEvent.keyDown(document.body, { key: 'e' });
    await waitFor(() => expect(calls(fn, 'PATCH', /conversations\/c1$/)).toHaveLength(1));
    expect(JSON.parse(String(calls(fn, 'PATCH', /conversations\/c1$/)[0][1]!.body))).toEqual({ status: 'resolved' });

    fireEvent.keyDown(document.body, { key: 'n' });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Internal note')));
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    fireEvent.keyDown(document.body, { key: 'r' });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Reply')));
    (document.activeElement as HTMLElement).blur();

    fireEvent.keyDown(document.body, { key: 'a' });
    await waitFor(() => expect(screen.getByRole('menu', { name: 'Assignee' })).toBeTruthy());

    fireEvent.keyDown(document.body, { key: '?' });
    const help = await screen.findByTestId('shortcuts-help');
    expect(help.textContent).toContain('Next conversation');
    expect(help.textContent).toContain('Insert a canned response');
  });
});

describe('team inbox: SLA', () => {
  const minutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
  const sla = (partial: Partial<NonNullable<Conversation['sla']>> = {}): NonNullable<Conversation['sla']> => ({
    status: 'on_track',
    policy_id: 'sla1',
    first_response_due_at: null,
    next_response_due_at: null,
    resolution_due_at: null,
    breaches: [],
    ...partial,
  });

  it('badges rows: at risk, breached, a countdown to the soonest due time on track, nothing without an SLA', async () => {
    fakeServer({
      conversations: [
        conversation('c1', { contact: { id: 'ct1', wa_id: '1', name: 'Risky' }, sla: sla({ status: 'at_risk', first_response_due_at: minutes(5) }) }),
        conversation('c2', { contact: { id: 'ct2', wa_id: '2', name: 'Late' }, sla: sla({ status: 'breached', breaches: ['first_response'] }) }),
        conversation('c3', { contact: { id: 'ct3', wa_id: '3', name: 'Fine' }, sla: sla({ first_response_due_at: minutes(12), resolution_due_at: minutes(600) }) }),
        conversation('c4', { contact: { id: 'ct4', wa_id: '4', name: 'Slow' }, sla: sla({ resolution_due_at: minutes(185) }) }),
        conversation('c5', { contact: { id: 'ct5', wa_id: '5', name: 'None' }, sla: null }),
      ],
      messages: [],
    });
    renderRoutes(routes, { path: '/inbox', session: session() });
    await screen.findAllByTestId('conversation-item');
    const row = (id: string) => document.querySelector(`[data-conversation-id="${id}"]`) as HTMLElement;
    const badge = (id: string) => within(row(id)).queryByTestId('sla-badge');
    expect(badge('c1')!.textContent).toBe('At risk');
    expect(badge('c1')!.className).toContain('sla-at-risk');
    expect(badge('c2')!.textContent).toBe('Breached');
    expect(badge('c2')!.className).toContain('sla-breached');
    expect(badge('c2')!.getAttribute('title')).toBe('SLA breached: First response');
    expect(badge('c3')!.textContent).toBe('Reply in 12m');
    expect(badge('c4')!.textContent).toBe('Resolve in 3h 5m');
    expect(badge('c5')).toBeNull();
  });

  it('shows the SLA in the header and the contact panel', async () => {
    fakeServer({ conversations: [conversation('c1', { sla: sla({ status: 'breached', breaches: ['resolution'], resolution_due_at: minutes(-5) }) })], messages: [] });
    renderRoutes(routes, { path: '/inbox/c1', session: session() });
    expect((await screen.findByTestId('conversation-sla')).textContent).toBe('Breached');
    expect((await screen.findByTestId('panel-sla')).textContent).toContain('Resolution due');
  });

  it('the SLA filter sets ?sla= on the list query and keeps only matching rows', async () => {
    const fn = fakeServer({
      conversations: [conversation('c1', { sla: sla({ status: 'breached' }) }), conversation('c2', { sla: sla({ status: 'at_risk' }) })],
      messages: [],
    });
    renderRoutes(routes, { path: '/inbox', session: session() });
    await screen.findAllByTestId('conversation-item');
    fireEvent.click(screen.getByTestId('filters-toggle'));
    const filter = screen.getByLabelText('SLA') as HTMLSelectElement;
    expect([...filter.options].map((o) => o.textContent)).toEqual(['Any SLA', 'SLA at risk', 'SLA breached']);
    fireEvent.change(filter, { target: { value: 'breached' } });
    await waitFor(() => expect(new URL(String(calls(fn, 'GET', '/api/v1/conversations').at(-1)![0]), 'http://x').searchParams.get('sla')).toBe('breached'));
    // The fake server ignores the filter; the list still shows only what matches.
    await waitFor(() => expect(screen.getAllByTestId('conversation-item').map((r) => r.getAttribute('data-conversation-id'))).toEqual(['c1']));
    expect(screen.getByTestId('filters-toggle').textContent).toContain('1 on');
  });

  it('reads ?sla= from the address', async () => {
    const fn = fakeServer({ conversations: [], messages: [] });
    renderRoutes(routes, { path: '/inbox?sla=at_risk', session: session() });
    await waitFor(() => expect(calls(fn, 'GET', '/api/v1/conversations').length).toBeGreaterThan(0));
    expect(new URL(String(calls(fn, 'GET', '/api/v1/conversations')[0][0]), 'http://x').searchParams.get('sla')).toBe('at_risk');
  });

  it('marks SLA activity lines by their action', async () => {
    fakeServer({
      conversations: [conversation('c1')],
      messages: [
        message('01', { direction: 'internal', kind: 'activity', body: 'SLA “VIP” breached: first response time', sender_type: 'system', content: { action: 'sla_breached', policy: 'VIP', target: 'first_response' } }),
        message('02', { direction: 'internal', kind: 'activity', body: 'Chorus escalated the conversation for SLA “VIP”: priority urgent', sender_type: 'system', content: { action: 'sla_escalated', policy: 'VIP', change: 'priority urgent' } }),
      ],
    });
    renderRoutes(routes, { path: '/inbox/c1', session: session() });
    const items = await screen.findAllByTestId('activity');
    expect(items.map((i) => i.getAttribute('data-action'))).toEqual(['sla_breached', 'sla_escalated']);
    expect(items[0].className).toContain('activity-sla-breached');
    expect(items[0].textContent).toContain('SLA “VIP” breached');
  });

  it('renders the opted_out activity line with the server’s sentence and an icon', async () => {
    fakeServer({
      conversations: [conversation('c1')],
      messages: [
        message('01', { direction: 'internal', kind: 'activity', body: 'Maria opted out of marketing messages: wrote “BAJA”', sender_type: 'system', content: { action: 'opted_out', source: 'keyword:BAJA' } }),
      ],
    });
    renderRoutes(routes, { path: '/inbox/c1', session: session() });
    const item = await screen.findByTestId('activity');
    expect(item.getAttribute('data-action')).toBe('opted_out');
    expect(item.className).toContain('activity-opted-out');
    expect(item.textContent).toContain('Maria opted out of marketing messages: wrote “BAJA”');
    expect(item.querySelector('svg')).toBeTruthy();
  });

  it('marks the auto-resolved line and the closing message', async () => {
    fakeServer({
      conversations: [conversation('c1')],
      messages: [
        message('01', { direction: 'outbound', kind: 'text', body: 'We are closing this chat. Write again any time!', sender_type: 'system', content: { automatic: 'closing' } }),
        message('02', { direction: 'internal', kind: 'activity', body: 'Chorus resolved the conversation after 24 hours of silence', sender_type: 'system', content: { action: 'auto_resolved' } }),
      ],
    });
    renderRoutes(routes, { path: '/inbox/c1', session: session() });
    const item = await screen.findByTestId('activity');
    expect(item.getAttribute('data-action')).toBe('auto_resolved');
    expect(item.className).toContain('activity-auto-resolved');
    expect(screen.getByTestId('msg-automatic').textContent).toBe('Automatic · Closing message');
  });
});
