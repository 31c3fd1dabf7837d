import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Conversation, Message, WhatsAppNumber } from '../../../api';
import { fakeMe, fakeSession, jsonResponse, manualLive, renderRoutes } from '../../../test/render';
import { createRealtimeClient } from '../../../lib/realtime';
import { RealtimeProvider } from '../../../lib/RealtimeProvider';
import { FakeWebSocket, fakeJwt, installFakeWebSocket } from '../../../test/websocket';
import { InboxPage } from './InboxPage';

const hours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

const sandboxNumber: WhatsAppNumber = {
  id: 'n1',
  phone_number_id: 'sandbox-1',
  waba_id: 'sandbox-waba-1',
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
    window_expires_at: hours(3.21),
    window_open: true,
    referral: null,
    opened_at: new Date().toISOString(),
    resolved_at: null,
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
  numbers: WhatsAppNumber[];
  onSend?: (body: Record<string, unknown>) => Promise<Response>;
}

function fakeServer(server: Server) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const u = new URL(url, 'http://x');
    if (u.pathname === '/api/v1/numbers') return jsonResponse(200, { items: server.numbers, next_cursor: null });
    if (u.pathname === '/api/v1/conversations') {
      const status = u.searchParams.get('status');
      const items = server.conversations.filter((c) => (status ? c.status === status : c.status !== 'resolved'));
      return jsonResponse(200, { items, next_cursor: null });
    }
    const conv = /^\/api\/v1\/conversations\/([^/]+)$/.exec(u.pathname);
    if (conv) {
      const found = server.conversations.find((c) => c.id === conv[1]);
      return found ? jsonResponse(200, found) : jsonResponse(404, { error: { code: 'not_found', message: 'No.' } });
    }
    const msgs = /^\/api\/v1\/conversations\/([^/]+)\/messages$/.exec(u.pathname);
    if (msgs && init.method === 'POST') return server.onSend!(JSON.parse(String(init.body)));
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
const agent = (perms = ['conversations:read_all', 'conversations:reply']) => fakeSession({ me: fakeMe(perms) });

describe('InboxPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows a new conversation on the next live update, without reloading', async () => {
    const server: Server = { conversations: [], messages: [], numbers: [sandboxNumber] };
    fakeServer(server);
    const live = manualLive();
    renderRoutes(routes, { path: '/inbox', session: agent(), live: live.source });
    expect(await screen.findByRole('heading', { name: 'No conversations yet' })).toBeTruthy();
    expect(screen.getByRole('link', { name: /Open the test phone/ }).getAttribute('href')).toBe('/test-phone');
    // One number: no number filter.
    expect(screen.queryByLabelText('Filter by number')).toBeNull();

    server.conversations = [
      conversation('c1', { last_message_preview: 'Do you have size M?' }),
      conversation('c2', {
        last_message_at: new Date(Date.now() - 5 * 60_000).toISOString(),
        contact: { id: 'ct2', wa_id: '447700900123', name: null },
        last_message_preview: '[image]',
        window_expires_at: hours(-1),
        window_open: false,
        status: 'pending',
      }),
    ];
    await live.tick();
    const items = await screen.findAllByTestId('conversation-item');
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain('Carla Cliente');
    expect(items[0].textContent).toContain('Do you have size M?');
    expect(items[0].textContent).toContain('now');
    expect(items[0].textContent).not.toContain('Window closed');
    expect(items[0].getAttribute('href')).toBe('/inbox/c1');
    // No name: the number; "[image]" reads as "Photo"; a closed window is flagged.
    expect(items[1].textContent).toContain('+44 770 090 0123');
    expect(items[1].textContent).toContain('5 min');
    expect(items[1].textContent).toContain('Photo');
    expect(items[1].textContent).toContain('Window closed');
    expect(items[1].textContent).toContain('Pending');
  });

  it('filters by status tab and by number when there are several numbers', async () => {
    const real = { ...sandboxNumber, id: 'n2', sandbox: false, display_phone_number: '34911222333', verified_name: 'Acme Shop' };
    const fetchMock = fakeServer({ conversations: [conversation('c1')], messages: [], numbers: [sandboxNumber, real] });
    renderRoutes(routes, { path: '/inbox', session: agent() });
    await screen.findAllByTestId('conversation-item');
    fireEvent.click(screen.getByRole('tab', { name: 'Resolved' }));
    expect(await screen.findByText('No resolved conversations yet.')).toBeTruthy();
    const filter = (await screen.findByLabelText('Filter by number')) as HTMLSelectElement;
    expect([...filter.options].map((o) => o.textContent)).toEqual(['All numbers', 'Sandbox · +1 555 000 0000', 'Acme Shop · +34 911 222 333']);
    fireEvent.change(filter, { target: { value: 'n2' } });
    await waitFor(() =>
      expect(fetchMock.mock.calls.map(([u]) => String(u))).toContain('/api/v1/conversations?status=resolved&number_id=n2&limit=50'),
    );
  });

  it('opens a conversation: contact, window countdown, messages oldest first with ticks', async () => {
    fakeServer({
      conversations: [conversation('c1')],
      numbers: [sandboxNumber],
      messages: [
        message('01', { body: 'Hola!\nDo you have size M?' }),
        message('02', { direction: 'outbound', body: 'Yes!', status: 'read', sender_type: 'agent', sender_id: 'm1', reply_to_wamid: 'wamid.01' }),
        message('03', { direction: 'outbound', body: 'Anything else?', status: 'failed', sender_type: 'agent', sender_id: 'm1', error_explanation: 'The customer blocked the number.' }),
      ],
    });
    renderRoutes(routes, { path: '/inbox/c1', session: agent() });
    expect((await screen.findByTestId('conversation-title')).textContent).toBe('Carla Cliente');
    expect(screen.getByTestId('conversation').textContent).toContain('+34 600 111 222');
    expect(screen.getByTestId('window-countdown').textContent).toBe('Window closes in 3 h 12 min');
    const bubbles = within(screen.getByTestId('messages')).getAllByTestId('message');
    expect(bubbles.map((b) => b.getAttribute('data-direction'))).toEqual(['inbound', 'outbound', 'outbound']);
    expect(within(bubbles[1]).getByTestId('ticks').getAttribute('aria-label')).toBe('Read');
    expect(within(bubbles[1]).getByTestId('quote').textContent).toContain('Carla Cliente');
    expect(bubbles[2].textContent).toContain('The customer blocked the number.');
    expect(screen.getByLabelText('Reply')).toHaveProperty('disabled', false);
  });

  it('shows a sent message at once, then the server’s copy', async () => {
    let release!: (r: Response) => void;
    const server: Server = {
      conversations: [conversation('c1')],
      numbers: [sandboxNumber],
      messages: [message('01')],
      onSend: () => new Promise<Response>((r) => (release = r)),
    };
    const fetchMock = fakeServer(server);
    renderRoutes(routes, { path: '/inbox/c1', session: agent() });
    const box = (await screen.findByLabelText('Reply')) as HTMLTextAreaElement;
    fireEvent.change(box, { target: { value: 'On its way!' } });
    fireEvent.keyDown(box, { key: 'Enter' });

    const pending = await screen.findByText('On its way!');
    const bubble = pending.closest('[data-testid="message"]') as HTMLElement;
    expect(within(bubble).getByTestId('ticks').getAttribute('aria-label')).toBe('Sending');
    expect(box.value).toBe('');
    const post = fetchMock.mock.calls.find(([u, init]) => init?.method === 'POST' && String(u).endsWith('/messages'))!;
    expect(post[0]).toBe('/api/v1/conversations/c1/messages');
    // The reply names the newest message on screen (collision protection).
    expect(JSON.parse(String(post[1]!.body))).toEqual({ text: 'On its way!', last_seen_message_id: '01' });

    release(jsonResponse(202, message('02', { direction: 'outbound', body: 'On its way!', status: 'queued', sender_type: 'agent', sender_id: 'm1' })));
    await waitFor(() => expect(document.getElementById('msg-02')).not.toBeNull());
    expect(screen.getAllByText('On its way!')).toHaveLength(1);
  });

  it('turns the composer off, with the reason, without the reply permission or after the window', async () => {
    fakeServer({ conversations: [conversation('c1'), conversation('c2', { window_expires_at: hours(-2), window_open: false })], numbers: [sandboxNumber], messages: [] });
    const first = renderRoutes(routes, { path: '/inbox/c1', session: agent(['conversations:read_all']) });
    expect(((await screen.findByLabelText('Reply')) as HTMLTextAreaElement).disabled).toBe(true);
    expect(screen.getByTestId('composer-blocked').textContent).toContain("Your role can't reply");
    first.unmount();

    renderRoutes(routes, { path: '/inbox/c2', session: agent() });
    expect((await screen.findByTestId('window-countdown')).textContent).toBe('Window closed: only templates can be sent');
    expect((screen.getByLabelText('Reply') as HTMLTextAreaElement).disabled).toBe(true);
    expect(screen.getByTestId('composer-blocked').textContent).toContain('More than 24 hours have passed');
  });

  it('refreshes the open conversation on live updates', async () => {
    const server: Server = {
      conversations: [conversation('c1')],
      numbers: [sandboxNumber],
      messages: [message('01'), message('02', { direction: 'outbound', body: 'Yes!', status: 'sent', sender_type: 'agent' })],
    };
    fakeServer(server);
    const live = manualLive();
    renderRoutes(routes, { path: '/inbox/c1', session: agent(), live: live.source });
    const reply = (await screen.findByText('Yes!')).closest('[data-testid="message"]') as HTMLElement;
    expect(within(reply).getByTestId('ticks').getAttribute('aria-label')).toBe('Sent');
    server.messages = [server.messages[0], { ...server.messages[1], status: 'read' }, message('03', { body: 'Great, thanks' })];
    await live.tick();
    expect(await screen.findByText('Great, thanks')).toBeTruthy();
    const updated = screen.getByText('Yes!').closest('[data-testid="message"]') as HTMLElement;
    expect(within(updated).getByTestId('ticks').getAttribute('aria-label')).toBe('Read');
  });

  it('shows unread counts (none when 0) and who handles each conversation', async () => {
    fakeServer({
      conversations: [
        conversation('c1', { unread_count: 3, assignee_id: 'm2', assignee_name: 'Bruno Díaz', last_message_at: '2026-11-22T10:03:00Z' }),
        conversation('c2', { unread_count: 0, assignee_id: 'm1', assignee_name: 'Olivia Owner', last_message_at: '2026-11-22T10:02:00Z', contact: { id: 'ct2', wa_id: '447700900123', name: 'Liam' } }),
        conversation('c3', { unread_count: 120, last_message_at: '2026-11-22T10:01:00Z', contact: { id: 'ct3', wa_id: '447700900124', name: 'Mia' } }),
      ],
      messages: [],
      numbers: [sandboxNumber],
    });
    renderRoutes(routes, { path: '/inbox', session: agent() });
    const items = await screen.findAllByTestId('conversation-item');
    expect(within(items[0]).getByTestId('unread-badge').textContent).toBe('3');
    expect(within(items[0]).getByTestId('unread-badge').getAttribute('aria-label')).toBe('3 unread messages');
    expect(items[0].className).toContain('conv-unread');
    expect(within(items[0]).getByTestId('conversation-assignee').textContent).toBe('Bruno Díaz');
    expect(within(items[1]).queryByTestId('unread-badge')).toBeNull();
    expect(within(items[1]).getByTestId('conversation-assignee').textContent).toBe('You');
    expect(within(items[2]).getByTestId('unread-badge').textContent).toBe('99+');
    expect(within(items[2]).queryByTestId('conversation-assignee')).toBeNull();
  });

  it('opening an unread conversation marks it read; a read one is left alone', async () => {
    const fetchMock = fakeServer({
      conversations: [conversation('c1', { unread_count: 2 }), conversation('c2', { unread_count: 0 })],
      messages: [message('01')],
      numbers: [sandboxNumber],
    });
    const first = renderRoutes(routes, { path: '/inbox/c1', session: agent() });
    await screen.findByTestId('conversation-title');
    await waitFor(() => expect(fetchMock.mock.calls.some(([u, i]) => u === '/api/v1/conversations/c1/read' && i?.method === 'POST')).toBe(true));
    first.unmount();
    renderRoutes(routes, { path: '/inbox/c2', session: agent() });
    await screen.findByTestId('conversation-title');
    expect(fetchMock.mock.calls.some(([u]) => u === '/api/v1/conversations/c2/read')).toBe(false);
  });

  it('sends a template from the picker when the window has closed', async () => {
    const sent: unknown[] = [];
    const server: Server = {
      conversations: [conversation('c1', { window_expires_at: hours(-2), window_open: false })],
      numbers: [sandboxNumber],
      messages: [message('01')],
      onSend: async (body) => {
        sent.push(body);
        return jsonResponse(202, message('02', { direction: 'outbound', kind: 'template', body: 'Hi Carla!', status: 'queued', sender_type: 'agent', sender_id: 'm1' }));
      },
    };
    const fetchMock = fakeServer(server);
    const base = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation(async (url: string, init: RequestInit = {}) => {
      if (url.startsWith('/api/v1/templates'))
        return jsonResponse(200, {
          items: [
            {
              id: 't1',
              waba_id: 'w',
              name: 'welcome',
              language: 'en_US',
              status: 'APPROVED',
              category: 'UTILITY',
              parameter_format: 'positional',
              components: [{ type: 'BODY', text: 'Hi {{1}}!' }],
              variables: { header: [], header_format: null, body: ['1'], buttons: [] },
              rejected_reason: null,
              updated_at: '2026-11-22T10:00:00Z',
            },
          ],
          next_cursor: null,
        });
      return base(url, init);
    });
    renderRoutes(routes, { path: '/inbox/c1', session: agent() });
    const blocked = await screen.findByTestId('composer-blocked');
    fireEvent.click(within(blocked).getByRole('button', { name: 'Send a template' }));
    fireEvent.click(await screen.findByRole('option', { name: /welcome/ }));
    fireEvent.change(screen.getByLabelText('Message {{1}}'), { target: { value: 'Carla' } });
    fireEvent.click(screen.getByRole('button', { name: /Send template/ }));
    await waitFor(() => expect(document.getElementById('msg-02')).not.toBeNull());
    expect(sent).toEqual([{ type: 'template', template_id: 't1', body: { 1: 'Carla' } }]);
    expect(fetchMock.mock.calls.some(([u]) => u === '/api/v1/templates?number_id=n1&status=APPROVED')).toBe(true);
  });
});

describe('InboxPage over the realtime socket', () => {
  afterEach(() => vi.unstubAllGlobals());

  const count = (fetchMock: ReturnType<typeof fakeServer>, path: string) =>
    fetchMock.mock.calls.filter(([u, init]) => (init?.method ?? 'GET') === 'GET' && String(u).split('?')[0] === path).length;
  const pause = (ms: number) => act(() => new Promise((r) => setTimeout(r, ms)));

  function renderLive(fetchMock: ReturnType<typeof fakeServer>) {
    installFakeWebSocket();
    const client = createRealtimeClient({
      getToken: () => fakeJwt(Math.floor(Date.now() / 1000) + 900),
      refreshToken: async () => null,
      minDelayMs: 50,
      maxDelayMs: 50,
    });
    renderRoutes(
      [
        {
          path: '/inbox/:conversationId',
          element: (
            <RealtimeProvider client={client} options={{ debounceMs: 10, fallbackMs: 150 }}>
              <InboxPage />
            </RealtimeProvider>
          ),
        },
      ],
      { path: '/inbox/c1', session: agent() },
    );
    return { client, fetchMock };
  }

  it('refetches the list on any event but the open thread only on its own', async () => {
    const server: Server = { conversations: [conversation('c1'), conversation('c2')], messages: [message('01')], numbers: [sandboxNumber] };
    const fetchMock = fakeServer(server);
    renderLive(fetchMock);
    await screen.findByTestId('conversation-title');
    const ws = FakeWebSocket.last;
    act(() => ws.accept('1'));
    // load + connected (+ one 150 ms fallback poll when a loaded machine opens the socket late)
    await waitFor(() => expect(count(fetchMock, '/api/v1/conversations/c1/messages')).toBeGreaterThanOrEqual(2));
    await pause(50);
    const list = count(fetchMock, '/api/v1/conversations');
    const thread = count(fetchMock, '/api/v1/conversations/c1/messages');

    server.conversations = [conversation('c2', { last_message_preview: 'Another customer' }), conversation('c1')];
    act(() => ws.event('2', 'c2'));
    expect(await screen.findByText('Another customer')).toBeTruthy();
    await pause(100);
    expect(count(fetchMock, '/api/v1/conversations')).toBe(list + 1);
    expect(count(fetchMock, '/api/v1/conversations/c1/messages')).toBe(thread);

    server.messages = [message('01'), message('02', { body: 'Are you there?' })];
    act(() => ws.event('3', 'c1', 'message.created'));
    expect(await screen.findByText('Are you there?')).toBeTruthy();
    server.messages = [message('01'), message('02', { body: 'Are you there?' }), message('03', { direction: 'outbound', body: 'Yes', status: 'read', sender_type: 'agent' })];
    act(() => ws.event('4', 'c1', 'message.updated'));
    expect(await screen.findByText('Yes')).toBeTruthy();
  });

  it('polls while the socket is down, stops once it is live, and shows which in the header', async () => {
    const fetchMock = fakeServer({ conversations: [conversation('c1')], messages: [message('01')], numbers: [sandboxNumber] });
    renderLive(fetchMock);
    await screen.findByTestId('conversation-title');
    const dot = screen.getByTestId('live-indicator');
    expect(dot.getAttribute('aria-label')).toBe('Connecting…');
    // Not connected: the list and the thread poll.
    const before = count(fetchMock, '/api/v1/conversations');
    await pause(600);
    expect(count(fetchMock, '/api/v1/conversations')).toBeGreaterThanOrEqual(before + 2);
    expect(count(fetchMock, '/api/v1/conversations/c1/messages')).toBeGreaterThanOrEqual(3);

    act(() => FakeWebSocket.last.accept('1'));
    expect(dot.getAttribute('aria-label')).toBe('Live');
    expect(dot.getAttribute('title')).toContain('New messages appear as they arrive.');
    await pause(50); // the refresh a connection brings
    const list = count(fetchMock, '/api/v1/conversations');
    const thread = count(fetchMock, '/api/v1/conversations/c1/messages');
    await pause(700);
    expect(count(fetchMock, '/api/v1/conversations')).toBe(list);
    expect(count(fetchMock, '/api/v1/conversations/c1/messages')).toBe(thread);

    // The socket drops: reconnecting, and polling again meanwhile.
    act(() => FakeWebSocket.last.drop());
    expect(screen.getByTestId('live-indicator').getAttribute('aria-label')).toBe('Reconnecting…');
    act(() => FakeWebSocket.last.drop()); // the reconnection fails too
    await pause(600);
    expect(count(fetchMock, '/api/v1/conversations')).toBeGreaterThan(list);
  });

  it('closes the socket when the signed-in area goes away', async () => {
    const fetchMock = fakeServer({ conversations: [conversation('c1')], messages: [], numbers: [sandboxNumber] });
    renderLive(fetchMock);
    await screen.findByTestId('conversation-title');
    const ws = FakeWebSocket.last;
    act(() => ws.accept('1'));
    cleanup();
    expect(ws.closedByClient).toBe(1000);
    await pause(200);
    expect(FakeWebSocket.live()).toHaveLength(0);
  });
});
