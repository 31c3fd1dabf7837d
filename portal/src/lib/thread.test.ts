import { describe, expect, it, vi } from 'vitest';
import type { Message } from '../api/types';
import { allMessages, fetchFrom, refreshStart, replaceFrom, upsertMessage, type ThreadPage } from './thread';

const m = (id: string, partial: Partial<Message> = {}): Message => ({
  id,
  conversation_id: 'c',
  direction: 'inbound',
  kind: 'text',
  body: id,
  content: {},
  wamid: null,
  reply_to_wamid: null,
  status: 'received',
  error_code: null,
  error_title: null,
  error_explanation: null,
  sender_type: 'contact',
  sender_id: null,
  sent_at: '2026-11-22T10:00:00Z',
  status_at: '2026-11-22T10:00:00Z',
  ...partial,
});

describe('thread pages', () => {
  it('follows next_cursor to the end', async () => {
    const fetchPage = vi.fn(async (cursor: string | null) =>
      cursor === null ? { items: [m('a')], next_cursor: 'k1' } : { items: [m('b')], next_cursor: null },
    );
    const pages = await fetchFrom(fetchPage, null);
    expect(pages).toEqual([
      { cursor: null, items: [m('a')] },
      { cursor: 'k1', items: [m('b')] },
    ]);
  });

  it('refreshes from the first page holding a message still on its way, else the last page', () => {
    const settled: ThreadPage = { cursor: null, items: [m('a'), m('b', { direction: 'outbound', status: 'read' })] };
    const moving: ThreadPage = { cursor: 'k1', items: [m('c', { direction: 'outbound', status: 'delivered' })] };
    const last: ThreadPage = { cursor: 'k2', items: [m('d', { direction: 'outbound', status: 'failed' })] };
    expect(refreshStart([settled, moving, last])).toBe(1);
    expect(refreshStart([settled, last])).toBe(1);
    expect(refreshStart([])).toBe(0);
    expect(replaceFrom([settled, moving, last], 1, [{ cursor: 'k1', items: [m('c')] }])).toEqual([settled, { cursor: 'k1', items: [m('c')] }]);
  });

  it('adds a sent message once, and keeps the server order', () => {
    const pages: ThreadPage[] = [{ cursor: null, items: [m('01'), m('03')] }];
    const added = upsertMessage(pages, m('02', { direction: 'outbound', status: 'queued' }));
    expect(allMessages(added).map((x) => x.id)).toEqual(['01', '02', '03']);
    const updated = upsertMessage(added, m('02', { direction: 'outbound', status: 'sent' }));
    expect(allMessages(updated).filter((x) => x.id === '02').map((x) => x.status)).toEqual(['sent']);
    expect(upsertMessage([], m('x'))).toEqual([{ cursor: null, items: [m('x')] }]);
  });
});
