import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Agent, Conversation } from '../../../api';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { ConversationActions, conversationAbilities } from './ConversationActions';

const conv = (partial: Partial<Conversation> = {}): Conversation => ({
  id: 'c1',
  number_id: 'n1',
  contact: { id: 'ct1', wa_id: '34600111222', name: 'Carla Cliente' },
  status: 'open',
  assignee_id: null,
  assignee_name: null,
  last_message_at: '2026-11-22T10:00:00Z',
  last_message_preview: 'Hola',
  last_inbound_at: '2026-11-22T10:00:00Z',
  window_expires_at: '2026-11-23T10:00:00Z',
  window_open: true,
  referral: null,
  opened_at: '2026-11-22T10:00:00Z',
  resolved_at: null,
  unread_count: 0,
  ...partial,
});

const agent = (id: string, name: string): Agent => ({
  id,
  user_id: `u-${id}`,
  name,
  email: `${name.toLowerCase()}@example.com`,
  role: { id: 'r', name: 'agent' },
  status: 'active',
  team_ids: [],
  created_at: '2026-11-22T09:00:00Z',
});

function show(c: Conversation, perms: string[], agents: Agent[] = []) {
  const onChanged = vi.fn();
  renderPage(<ConversationActions conversation={c} agents={agents} onChanged={onChanged} />, { session: fakeSession({ me: fakeMe(perms) }) });
  return onChanged;
}

describe('ConversationActions: who may do what', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('works out claim, assign and status rights', () => {
    const can = (perms: string[]) => (p: string) => perms.includes(p);
    expect(conversationAbilities({ can: can(['conversations:reply']), myId: 'm1', assigneeId: null })).toEqual({ claim: true, assign: false, status: true });
    expect(conversationAbilities({ can: can(['conversations:reply']), myId: 'm1', assigneeId: 'm2' })).toEqual({ claim: false, assign: false, status: true });
    expect(conversationAbilities({ can: can(['conversations:reply', 'conversations:assign']), myId: 'm1', assigneeId: 'm2' })).toEqual({ claim: true, assign: true, status: true });
    expect(conversationAbilities({ can: can([]), myId: 'm1', assigneeId: null })).toEqual({ claim: false, assign: false, status: false });
    expect(conversationAbilities({ can: can(['conversations:reply']), myId: 'm1', assigneeId: 'm1' }).claim).toBe(false);
  });

  it('read-only: shows who handles it, offers nothing', () => {
    show(conv({ assignee_id: 'm2', assignee_name: 'Bruno' }), ['conversations:read_all']);
    expect(screen.getByTestId('assignee').textContent).toBe('Bruno');
    expect(screen.queryByRole('button', { name: 'Assign to me' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Resolve' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Assignee' })).toBeNull();
  });

  it('reply only: claims a free conversation and resolves, but has no picker', async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit = {}) => jsonResponse(200, conv({ ...JSON.parse(String(init.body)), assignee_name: 'Olivia Owner' })));
    vi.stubGlobal('fetch', fetchMock);
    const onChanged = show(conv(), ['conversations:reply']);
    expect(screen.queryByRole('button', { name: 'Assignee' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Assign to me' }));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/conversations/c1');
    expect(fetchMock.mock.calls[0][1]?.method).toBe('PATCH');
    expect(JSON.parse(String(fetchMock.mock.calls[0][1]?.body))).toEqual({ assignee_id: 'm1' });
    fireEvent.click(screen.getByRole('button', { name: 'Resolve' }));
    await waitFor(() => expect(JSON.parse(String(fetchMock.mock.calls[1][1]?.body))).toEqual({ status: 'resolved' }));
  });

  it('someone else’s conversation cannot be taken without conversations:assign', () => {
    show(conv({ assignee_id: 'm2', assignee_name: 'Bruno' }), ['conversations:reply']);
    expect(screen.queryByRole('button', { name: 'Assign to me' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Resolve' })).toBeTruthy();
  });

  it('assign: picks another agent or unassigns', async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit = {}) => jsonResponse(200, conv(JSON.parse(String(init.body)))));
    vi.stubGlobal('fetch', fetchMock);
    show(conv({ assignee_id: 'm1' }), ['conversations:reply', 'conversations:assign'], [agent('m1', 'Olivia'), agent('m2', 'Bruno'), agent('m3', 'Chen')]);
    expect(screen.getByTestId('assignee').textContent).toBe('You');
    fireEvent.click(screen.getByRole('button', { name: 'Assignee' }));
    const menu = screen.getByRole('menu', { name: 'Assignee' });
    // Oneself is "Assign to me", not in the list of others.
    expect(within(menu).getAllByRole('menuitemradio').map((b) => b.querySelector('.menu-item-name')?.textContent)).toEqual(['Bruno', 'Chen']);
    fireEvent.click(within(menu).getByRole('menuitemradio', { name: /Bruno/ }));
    await waitFor(() => expect(JSON.parse(String(fetchMock.mock.calls[0][1]?.body))).toEqual({ assignee_id: 'm2' }));
    fireEvent.click(screen.getByRole('button', { name: 'Assignee' }));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Unassign' }));
    await waitFor(() => expect(JSON.parse(String(fetchMock.mock.calls[1][1]?.body))).toEqual({ assignee_id: null }));
  });

  it('a lost claim race says who won, and shows them as the assignee', async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit = {}) =>
      init.method === 'PATCH'
        ? jsonResponse(409, { error: { code: 'already_assigned', message: 'Bruno Díaz is already handling this conversation.' } })
        : jsonResponse(200, conv({ assignee_id: 'm2', assignee_name: 'Bruno Díaz' })),
    );
    vi.stubGlobal('fetch', fetchMock);
    const onChanged = show(conv(), ['conversations:reply']);
    fireEvent.click(screen.getByRole('button', { name: 'Assign to me' }));
    expect((await screen.findByTestId('conversation-action-error')).textContent).toContain('Bruno Díaz is already handling this conversation.');
    await waitFor(() => expect(onChanged).toHaveBeenCalledWith(expect.objectContaining({ assignee_id: 'm2' })));
  });

  it('resolved conversations can be reopened; open ones marked pending', async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit = {}) => jsonResponse(200, conv(JSON.parse(String(init.body)))));
    vi.stubGlobal('fetch', fetchMock);
    const first = show(conv({ status: 'resolved' }), ['conversations:reply']);
    fireEvent.click(screen.getByRole('button', { name: 'Reopen' }));
    await waitFor(() => expect(first).toHaveBeenCalled());
    expect(JSON.parse(String(fetchMock.mock.calls[0][1]?.body))).toEqual({ status: 'open' });
  });

  it('reopening when a newer conversation is open explains it', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit = {}) =>
        init.method === 'PATCH'
          ? jsonResponse(409, { error: { code: 'conversation_open_elsewhere', message: 'newer' } })
          : jsonResponse(200, conv({ status: 'resolved' })),
      ),
    );
    show(conv({ status: 'resolved' }), ['conversations:reply']);
    fireEvent.click(screen.getByRole('button', { name: 'Reopen' }));
    expect((await screen.findByTestId('conversation-action-error')).textContent).toContain('newer open conversation on this number');
  });

  it('marks an open conversation pending from the menu', async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit = {}) => jsonResponse(200, conv(JSON.parse(String(init.body)))));
    vi.stubGlobal('fetch', fetchMock);
    show(conv(), ['conversations:reply']);
    fireEvent.click(screen.getByRole('button', { name: 'More actions' }));
    fireEvent.click(screen.getByRole('menuitem', { name: 'Mark as pending' }));
    await waitFor(() => expect(JSON.parse(String(fetchMock.mock.calls[0][1]?.body))).toEqual({ status: 'pending' }));
  });
});
