import { describe, expect, it } from 'vitest';
import type { Message } from '../api/types';
import { reactionIndex } from './reactions';

let seq = 0;
function msg(partial: Partial<Message>): Message {
  seq += 1;
  return {
    id: `m${String(seq).padStart(3, '0')}`,
    conversation_id: 'c1',
    direction: 'inbound',
    kind: 'text',
    body: 'hi',
    content: {},
    wamid: `wamid.${seq}`,
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
  };
}

describe('reactionIndex', () => {
  it('puts the latest reaction of each side on its target and hides the reaction messages', () => {
    const target = msg({ direction: 'outbound', body: 'Shipped', wamid: 'wamid.t' });
    const first = msg({ kind: 'reaction', content: { type: 'reaction', message_id: 'wamid.t', emoji: '👍' }, sender_name: 'Carla' });
    const changed = msg({ kind: 'reaction', content: { type: 'reaction', message_id: 'wamid.t', emoji: '❤️' }, sender_name: 'Carla' });
    const ours = msg({ kind: 'reaction', direction: 'outbound', content: { type: 'reaction', message_id: 'wamid.t', emoji: '🙏' } });
    const idx = reactionIndex([target, first, changed, ours]);
    expect(idx.byMessage.get(target.id)).toEqual([
      { emoji: '❤️', direction: 'inbound', name: 'Carla' },
      { emoji: '🙏', direction: 'outbound', name: null },
    ]);
    expect([...idx.attached]).toEqual([first.id, changed.id, ours.id]);
  });

  it('an empty emoji takes the reaction back; an unknown target stays a message of its own', () => {
    const target = msg({ wamid: 'wamid.x' });
    const on = msg({ kind: 'reaction', direction: 'outbound', content: { type: 'reaction', message_id: 'wamid.x', emoji: '👍' } });
    const off = msg({ kind: 'reaction', direction: 'outbound', content: { type: 'reaction', message_id: 'wamid.x', emoji: null } });
    const orphan = msg({ kind: 'reaction', content: { type: 'reaction', message_id: 'wamid.gone', emoji: '😂' } });
    const idx = reactionIndex([target, on, off, orphan]);
    expect(idx.byMessage.has(target.id)).toBe(false);
    expect(idx.attached.has(orphan.id)).toBe(false);
    expect(idx.attached.has(off.id)).toBe(true);
  });
});
