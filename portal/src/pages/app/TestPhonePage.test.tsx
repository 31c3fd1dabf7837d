import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../api';
import { fakeMe, fakeSession, jsonResponse, manualLive, renderRoutes } from '../../test/render';
import { stubXhr } from '../../test/xhr';
import { TEST_PHONE_STORAGE_KEY, TestPhonePage } from './TestPhonePage';

function message(id: string, partial: Partial<Message> = {}): Message {
  return {
    id,
    conversation_id: 'c1',
    direction: 'inbound',
    kind: 'text',
    body: 'Hola',
    content: {},
    wamid: `wamid.${id}`,
    reply_to_wamid: null,
    status: 'received',
    error_code: null,
    error_title: null,
    error_explanation: null,
    sender_type: 'contact',
    sender_id: null,
    sent_at: new Date().toISOString(),
    status_at: new Date().toISOString(),
    ...partial,
  };
}

function fakeServer(state: { thread: Message[] }) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const u = new URL(url, 'http://x');
    if (u.pathname === '/api/v1/numbers') return jsonResponse(200, { items: [], next_cursor: null });
    if (u.pathname === '/api/v1/sandbox/messages' && init.method === 'POST') {
      const body = JSON.parse(String(init.body));
      state.thread = [
        ...state.thread,
        message(`in${state.thread.length}`, {
          body: body.text ?? body.location?.name ?? body.button_reply?.title ?? body.list_reply?.title ?? body.image?.caption,
          kind: body.image ? 'image' : 'text',
        }),
      ];
      return jsonResponse(200, { messages: 1, duplicates: 0, statuses: 0 });
    }
    if (u.pathname === '/api/v1/sandbox/messages') return jsonResponse(200, { items: state.thread, next_cursor: null });
    if (u.pathname === '/api/v1/sandbox/read') {
      state.thread = state.thread.map((m) => (m.direction === 'outbound' && ['sent', 'delivered'].includes(m.status) ? { ...m, status: 'read' } : m));
      return jsonResponse(200, { messages: 0, duplicates: 0, statuses: 2 });
    }
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

const routes = [{ path: '/test-phone', element: <TestPhonePage /> }];
const session = () => fakeSession({ me: fakeMe(['conversations:reply']) });

describe('TestPhonePage', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => vi.unstubAllGlobals());

  it('plays Carla Cliente by default and sends what she types', async () => {
    const state = { thread: [] as Message[] };
    const fetchMock = fakeServer(state);
    renderRoutes(routes, { path: '/test-phone', session: session() });
    expect((screen.getByLabelText('Customer name') as HTMLInputElement).value).toBe('Carla Cliente');
    expect((screen.getByLabelText('Customer number') as HTMLInputElement).value).toBe('+34 600 111 222');
    expect(await screen.findByText('Say hello to start a conversation.')).toBeTruthy();
    expect(fetchMock.mock.calls.map(([u]) => String(u))).toContain('/api/v1/sandbox/messages?from=34600111222');

    const box = screen.getByLabelText('Message as the customer');
    fireEvent.change(box, { target: { value: 'Hola, ¿abrís el domingo?' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(await within(screen.getByTestId('phone-thread')).findByText('Hola, ¿abrís el domingo?')).toBeTruthy();
    const post = fetchMock.mock.calls.find(([u, i]) => String(u) === '/api/v1/sandbox/messages' && i?.method === 'POST')!;
    expect(JSON.parse(String(post[1]!.body))).toEqual({ from: '34600111222', name: 'Carla Cliente', text: 'Hola, ¿abrís el domingo?' });
    expect(screen.getByRole('link', { name: /Open this conversation in the inbox/ }).getAttribute('href')).toBe('/inbox/c1');
  });

  it('remembers the customer and refuses a number without enough digits', async () => {
    localStorage.setItem(TEST_PHONE_STORAGE_KEY, JSON.stringify({ name: 'Bruno', phone: '+44 7700 900123' }));
    const fetchMock = fakeServer({ thread: [] });
    renderRoutes(routes, { path: '/test-phone', session: session() });
    expect((screen.getByLabelText('Customer name') as HTMLInputElement).value).toBe('Bruno');
    await waitFor(() => expect(fetchMock.mock.calls.map(([u]) => String(u))).toContain('/api/v1/sandbox/messages?from=447700900123'));
    fireEvent.change(screen.getByLabelText('Customer number'), { target: { value: '12 34' } });
    expect(screen.getByText(/Use a phone number with country code/)).toBeTruthy();
    expect((screen.getByLabelText('Message as the customer') as HTMLTextAreaElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Customer name'), { target: { value: 'Bruno B.' } });
    expect(JSON.parse(localStorage.getItem(TEST_PHONE_STORAGE_KEY)!)).toEqual({ name: 'Bruno B.', phone: '12 34' });
  });

  it('reads the business’s new replies while visible, so their ticks turn blue', async () => {
    const state = {
      thread: [
        message('01'),
        message('02', { direction: 'outbound', body: 'Yes, 10 to 14h', status: 'sent', sender_type: 'agent' }),
      ],
    };
    const fetchMock = fakeServer(state);
    const live = manualLive();
    renderRoutes(routes, { path: '/test-phone', session: session(), live: live.source });
    const reply = (await screen.findByText('Yes, 10 to 14h')).closest('[data-testid="message"]') as HTMLElement;
    expect(reply.className).toContain('msg-start');
    await waitFor(() => expect(fetchMock.mock.calls.some(([u]) => String(u) === '/api/v1/sandbox/read')).toBe(true));
    const read = fetchMock.mock.calls.find(([u]) => String(u) === '/api/v1/sandbox/read')!;
    expect(JSON.parse(String(read[1]!.body))).toEqual({ from: '34600111222' });
    await waitFor(() =>
      expect(within(screen.getByText('Yes, 10 to 14h').closest('[data-testid="message"]') as HTMLElement).getByTestId('ticks').getAttribute('aria-label')).toBe('Read'),
    );
    // Once read, live updates do not ask again.
    await live.tick();
    expect(fetchMock.mock.calls.filter(([u]) => String(u) === '/api/v1/sandbox/read')).toHaveLength(1);
  });

  it('sends a preset location and a button reply', async () => {
    const fetchMock = fakeServer({ thread: [] });
    renderRoutes(routes, { path: '/test-phone', session: session() });
    await screen.findByText('Say hello to start a conversation.');
    fireEvent.click(screen.getByRole('button', { name: 'Location' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /Puerta del Sol, Madrid/ }));
    await screen.findByText('Puerta del Sol, Madrid');
    fireEvent.click(screen.getByRole('button', { name: 'Button reply' }));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Talk to a person' }));
    await waitFor(() => expect(fetchMock.mock.calls.filter(([, i]) => i?.method === 'POST')).toHaveLength(2));
    const bodies = fetchMock.mock.calls.filter(([, i]) => i?.method === 'POST').map(([, i]) => JSON.parse(String(i!.body)));
    expect(bodies[0]).toEqual({ from: '34600111222', name: 'Carla Cliente', location: { latitude: 40.416775, longitude: -3.70379, name: 'Puerta del Sol, Madrid' } });
    expect(bodies[1]).toEqual({ from: '34600111222', name: 'Carla Cliente', button_reply: { id: 'human', title: 'Talk to a person' } });
  });

  it('sends a photo: uploads it, then sends it with what was typed as its caption', async () => {
    const fetchMock = fakeServer({ thread: [] });
    const uploads = stubXhr(() => ({ status: 201, body: { id: 'f1', kind: 'image', mime_type: 'image/png', filename: 'receipt.png', size_bytes: 10, status: 'ready', url: '/u' } }));
    renderRoutes(routes, { path: '/test-phone', session: session() });
    await screen.findByText('Say hello to start a conversation.');
    fireEvent.change(screen.getByLabelText('Message as the customer'), { target: { value: 'My receipt' } });
    fireEvent.change(screen.getByTestId('phone-photo'), { target: { files: [new File([new Uint8Array(10)], 'receipt.png', { type: 'image/png' })] } });
    await waitFor(() => expect(fetchMock.mock.calls.filter(([, i]) => i?.method === 'POST')).toHaveLength(1));
    expect(uploads[0].url).toBe('/api/v1/media');
    expect((uploads[0].body.get('file') as File).name).toBe('receipt.png');
    const post = fetchMock.mock.calls.find(([, i]) => i?.method === 'POST')!;
    expect(JSON.parse(String(post[1]!.body))).toEqual({ from: '34600111222', name: 'Carla Cliente', image: { media_id: 'f1', caption: 'My receipt' } });
    await waitFor(() => expect((screen.getByLabelText('Message as the customer') as HTMLTextAreaElement).value).toBe(''));
  });

  it('refuses pictures the test phone cannot send, and shows upload errors', async () => {
    fakeServer({ thread: [] });
    stubXhr(() => ({ status: 413, body: { error: { code: 'media_too_large', message: 'WhatsApp carries image files of at most 5 MB.' } } }));
    renderRoutes(routes, { path: '/test-phone', session: session() });
    await screen.findByText('Say hello to start a conversation.');
    fireEvent.change(screen.getByTestId('phone-photo'), { target: { files: [new File(['GIF89a'], 'cat.gif', { type: 'image/gif' })] } });
    expect((await screen.findByRole('alert')).textContent).toContain('The test phone sends JPEG or PNG pictures.');
    fireEvent.change(screen.getByTestId('phone-photo'), { target: { files: [new File([new Uint8Array(10)], 'a.png', { type: 'image/png' })] } });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('WhatsApp sends pictures of at most 5 MB'));
  });

  it('taps the buttons and list rows the business sent', async () => {
    const state = {
      thread: [
        message('01'),
        message('02', {
          direction: 'outbound',
          kind: 'interactive',
          body: 'When shall we come?',
          status: 'read',
          sender_type: 'agent',
          content: { outbound: { type: 'buttons', body: 'When shall we come?', buttons: [{ id: 'am', title: 'Morning' }, { id: 'pm', title: 'Afternoon' }] } },
        }),
        message('03', {
          direction: 'outbound',
          kind: 'interactive',
          body: 'Or pick a day',
          status: 'read',
          sender_type: 'agent',
          content: { outbound: { type: 'list', body: 'Or pick a day', button: 'Days', sections: [{ rows: [{ id: 'fri', title: 'Friday' }] }] } },
        }),
      ],
    };
    const fetchMock = fakeServer(state);
    renderRoutes(routes, { path: '/test-phone', session: session() });
    fireEvent.click(await screen.findByRole('button', { name: 'Afternoon' }));
    fireEvent.click(screen.getByRole('button', { name: 'Days' }));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Friday' }));
    const sends = () => fetchMock.mock.calls.filter(([u, i]) => String(u) === '/api/v1/sandbox/messages' && i?.method === 'POST');
    await waitFor(() => expect(sends()).toHaveLength(2));
    const bodies = sends().map(([, i]) => JSON.parse(String(i!.body)));
    expect(bodies).toEqual([
      { from: '34600111222', name: 'Carla Cliente', button_reply: { id: 'pm', title: 'Afternoon' } },
      { from: '34600111222', name: 'Carla Cliente', list_reply: { id: 'fri', title: 'Friday' } },
    ]);
  });
});
