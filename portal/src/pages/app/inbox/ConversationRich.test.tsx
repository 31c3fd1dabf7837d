// The conversation view with quoting, reactions and the "More" messages, against a fake API.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Conversation, Message, WhatsAppNumber } from '../../../api';
import { fakeMe, fakeSession, jsonResponse, renderRoutes } from '../../../test/render';
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

function conversation(partial: Partial<Conversation> = {}): Conversation {
  return {
    id: 'c1',
    number_id: 'n1',
    contact: { id: 'ct1', wa_id: '34600111222', name: 'Carla Cliente' },
    status: 'open',
    assignee_id: null,
    last_message_at: new Date().toISOString(),
    last_message_preview: 'Hola!',
    last_inbound_at: new Date().toISOString(),
    window_expires_at: hours(20),
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
    body: 'Can I come on Friday?',
    content: { type: 'text', body: 'Can I come on Friday?' },
    wamid: `wamid.${id}`,
    reply_to_wamid: null,
    status: 'received',
    error_code: null,
    error_title: null,
    error_explanation: null,
    sender_type: 'contact',
    sender_id: 'ct1',
    sent_at: new Date().toISOString(),
    status_at: new Date().toISOString(),
    ...partial,
  };
}

const outbound = (id: string, partial: Partial<Message>) => message(id, { direction: 'outbound', status: 'queued', sender_type: 'agent', sender_id: 'm1', sender_name: 'Olivia Owner', wamid: null, ...partial });

function fakeServer(opts: { conv?: Conversation; messages: Message[]; onSend?: (body: Record<string, unknown>) => Promise<Response> }) {
  const sent: Record<string, unknown>[] = [];
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const u = new URL(url, 'http://x');
    if (u.pathname === '/api/v1/numbers') return jsonResponse(200, { items: [sandboxNumber], next_cursor: null });
    if (u.pathname === '/api/v1/conversations') return jsonResponse(200, { items: [opts.conv ?? conversation()], next_cursor: null });
    if (u.pathname === '/api/v1/conversations/c1') return jsonResponse(200, opts.conv ?? conversation());
    if (u.pathname === '/api/v1/conversations/c1/messages' && init.method === 'POST') {
      const body = JSON.parse(String(init.body)) as Record<string, unknown>;
      sent.push(body);
      return opts.onSend!(body);
    }
    if (u.pathname === '/api/v1/conversations/c1/messages') return jsonResponse(200, { items: opts.messages, next_cursor: null });
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return sent;
}

const routes = [{ path: '/inbox/:conversationId', element: <InboxPage /> }];
const agent = () => fakeSession({ me: fakeMe(['conversations:read_all', 'conversations:reply']) });
const bubble = (text: string) => screen.getByText(text).closest('[data-testid="message"]') as HTMLElement;

describe('conversation: quoting, reacting, rich messages', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('quotes a message in reply buttons: the strip shows, reply_to goes with them, then the strip clears', async () => {
    const sent = fakeServer({
      messages: [message('01')],
      onSend: async (body) =>
        jsonResponse(202, outbound('02', { kind: 'interactive', body: String(body.body), content: { outbound: { ...body, header: { text: 'Your visit' } } }, reply_to_wamid: 'wamid.01' })),
    });
    renderRoutes(routes, { path: '/inbox/c1', session: agent() });
    await screen.findByText('Can I come on Friday?');
    fireEvent.click(within(bubble('Can I come on Friday?')).getByRole('button', { name: 'Quote this message in your answer' }));
    expect(screen.getByTestId('composer-reply').textContent).toContain('Can I come on Friday?');

    fireEvent.click(screen.getByRole('button', { name: 'More message types' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /Reply buttons/ }));
    const dialog = screen.getByRole('dialog', { name: 'Send reply buttons' });
    expect(within(dialog).getByTestId('rich-reply').textContent).toContain('In reply to Carla Cliente');
    fireEvent.change(within(dialog).getByLabelText('Header (optional)'), { target: { value: 'Your visit' } });
    fireEvent.change(within(dialog).getByLabelText('Message'), { target: { value: 'Friday at 10:00?' } });
    fireEvent.change(within(dialog).getByLabelText('Footer (optional)'), { target: { value: 'Acme Shoes' } });
    fireEvent.change(within(dialog).getByLabelText('Button 1'), { target: { value: 'Yes, Friday' } });
    fireEvent.change(within(dialog).getByLabelText('Button 2'), { target: { value: 'Another day' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(document.getElementById('msg-02')).not.toBeNull());
    expect(sent).toEqual([
      {
        type: 'buttons',
        body: 'Friday at 10:00?',
        buttons: [
          { id: 'yes-friday', title: 'Yes, Friday' },
          { id: 'another-day', title: 'Another day' },
        ],
        header: 'Your visit',
        footer: 'Acme Shoes',
        reply_to: '01',
        last_seen_message_id: '01',
      },
    ]);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByTestId('composer-reply')).toBeNull();
    // The sent message: header, body, footer, the buttons and the quote.
    const sentBubble = document.getElementById('msg-02')!;
    expect(sentBubble.textContent).toContain('Your visit');
    expect(sentBubble.textContent).toContain('Acme Shoes');
    expect(within(sentBubble).getByRole('button', { name: 'Yes, Friday' })).toBeTruthy();
    expect(within(sentBubble).getByTestId('quote').textContent).toContain('Can I come on Friday?');
  });

  it('quotes a message in a text reply, and the strip can be cancelled', async () => {
    const sent = fakeServer({
      messages: [message('01')],
      onSend: async (body) => jsonResponse(202, outbound('02', { body: String(body.text), reply_to_wamid: 'wamid.01' })),
    });
    renderRoutes(routes, { path: '/inbox/c1', session: agent() });
    await screen.findByText('Can I come on Friday?');
    const quote = () => fireEvent.click(within(bubble('Can I come on Friday?')).getByRole('button', { name: 'Quote this message in your answer' }));
    quote();
    fireEvent.click(screen.getByRole('button', { name: 'Stop quoting the message' }));
    expect(screen.queryByTestId('composer-reply')).toBeNull();
    quote();
    const box = screen.getByLabelText('Reply');
    fireEvent.change(box, { target: { value: 'Of course!' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(document.getElementById('msg-02')).not.toBeNull());
    expect(sent).toEqual([{ text: 'Of course!', reply_to: '01', last_seen_message_id: '01' }]);
    expect(screen.queryByTestId('composer-reply')).toBeNull();
  });

  it('sends a location with the quoted message', async () => {
    const sent = fakeServer({
      messages: [message('01', { body: 'Where are you?', content: { type: 'text', body: 'Where are you?' } })],
      onSend: async (body) => jsonResponse(202, outbound('02', { kind: 'location', body: 'Acme Shoes', content: { type: 'location', ...body } })),
    });
    renderRoutes(routes, { path: '/inbox/c1', session: agent() });
    await screen.findByText('Where are you?');
    fireEvent.click(within(bubble('Where are you?')).getByRole('button', { name: 'Quote this message in your answer' }));
    fireEvent.click(screen.getByRole('button', { name: 'More message types' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /Location/ }));
    fireEvent.change(screen.getByLabelText('Latitude'), { target: { value: '40.4168' } });
    fireEvent.change(screen.getByLabelText('Longitude'), { target: { value: '-3.7038' } });
    fireEvent.change(screen.getByLabelText('Place name (optional)'), { target: { value: 'Acme Shoes' } });
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(document.getElementById('msg-02')).not.toBeNull());
    expect(sent).toEqual([{ type: 'location', latitude: 40.4168, longitude: -3.7038, name: 'Acme Shoes', reply_to: '01', last_seen_message_id: '01' }]);
    expect(document.getElementById('msg-02')!.textContent).toContain('Acme Shoes');
  });

  it('reacts to a message at once, and the same emoji again takes the reaction back', async () => {
    let n = 10;
    const sent = fakeServer({
      messages: [message('01')],
      onSend: async (body) =>
        jsonResponse(202, outbound(String(++n), { kind: 'reaction', body: String(body.emoji) || null, content: { type: 'reaction', message_id: 'wamid.01', emoji: body.emoji || null } })),
    });
    renderRoutes(routes, { path: '/inbox/c1', session: agent() });
    await screen.findByText('Can I come on Friday?');
    fireEvent.click(within(bubble('Can I come on Friday?')).getByRole('button', { name: 'React' }));
    fireEvent.click(screen.getByRole('button', { name: 'React with 👍' }));
    // Shown on the message (not as a message of its own), right away and after the server answers.
    expect(within(bubble('Can I come on Friday?')).getByTestId('reactions').textContent).toBe('👍');
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({ type: 'reaction', message_id: '01', emoji: '👍', last_seen_message_id: '01', force: true });
    await waitFor(() => expect(within(bubble('Can I come on Friday?')).getByRole('img', { name: 'Olivia Owner reacted 👍' })).toBeTruthy());
    expect(screen.getAllByTestId('message')).toHaveLength(1);

    fireEvent.click(within(bubble('Can I come on Friday?')).getByRole('button', { name: 'React' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove your reaction 👍' }));
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toMatchObject({ type: 'reaction', message_id: '01', emoji: '' });
    await waitFor(() => expect(within(bubble('Can I come on Friday?')).queryByTestId('reactions')).toBeNull());
  });

  it('a refused reaction goes away again and says why', async () => {
    fakeServer({
      messages: [message('01')],
      onSend: async () => jsonResponse(422, { error: { code: 'validation_failed', message: 'That message has not reached WhatsApp yet.', fields: { message_id: 'That message has not reached WhatsApp yet.' } } }),
    });
    renderRoutes(routes, { path: '/inbox/c1', session: agent() });
    await screen.findByText('Can I come on Friday?');
    fireEvent.click(within(bubble('Can I come on Friday?')).getByRole('button', { name: 'React' }));
    fireEvent.click(screen.getByRole('button', { name: 'React with ❤️' }));
    expect(await screen.findByText("Couldn't send the reaction: That message has not reached WhatsApp yet.")).toBeTruthy();
    expect(within(bubble('Can I come on Friday?')).queryByTestId('reactions')).toBeNull();
  });

  it('shows the list the business sent with its rows, and the customer’s pick', async () => {
    fakeServer({
      messages: [
        outbound('01', {
          kind: 'interactive',
          status: 'read',
          wamid: 'wamid.01',
          body: 'Pick a slot',
          content: { outbound: { type: 'list', header: 'Visits', body: 'Pick a slot', footer: 'Acme', button: 'See slots', sections: [{ title: 'Friday', rows: [{ id: '9-00', title: '9:00', description: 'Morning' }] }] } },
        }),
        message('02', { kind: 'interactive', body: '9:00', content: { type: 'list_reply', id: '9-00', title: '9:00', description: 'Morning' }, reply_to_wamid: 'wamid.01' }),
      ],
    });
    renderRoutes(routes, { path: '/inbox/c1', session: agent() });
    await screen.findAllByText('Pick a slot');
    const list = document.getElementById('msg-01')!;
    expect(list.textContent).toContain('Visits');
    expect(list.textContent).toContain('Acme');
    fireEvent.click(within(list).getByRole('button', { name: 'See slots' }));
    expect(list.textContent).toContain('Friday');
    expect(list.textContent).toContain('Morning');
    expect(document.getElementById('msg-02')!.textContent).toContain('List choice');
  });

  it('after the window, neither reactions, quotes nor "More" messages', async () => {
    fakeServer({ conv: conversation({ window_expires_at: hours(-1), window_open: false }), messages: [message('01')] });
    renderRoutes(routes, { path: '/inbox/c1', session: agent() });
    await screen.findByText('Can I come on Friday?');
    expect(within(bubble('Can I come on Friday?')).queryByRole('button', { name: 'React' })).toBeNull();
    expect(within(bubble('Can I come on Friday?')).queryByRole('button', { name: 'Quote this message in your answer' })).toBeNull();
    expect((screen.getByRole('button', { name: 'More message types' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
