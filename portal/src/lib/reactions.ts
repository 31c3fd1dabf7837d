// Reactions sit on the message they react to, as in WhatsApp: one per person (the customer, the
// business), the latest one wins, and an empty emoji takes it back.
import type { Message } from '../api/types';
import { content, str } from './messages';

export interface ReactionChip {
  emoji: string;
  direction: Message['direction'];
  /** Who reacted, when the server named them. */
  name: string | null;
}

export interface ReactionIndex {
  /** Chips by the id of the message reacted to. */
  byMessage: Map<string, ReactionChip[]>;
  /** Reaction messages shown on their target (the thread does not show them on their own). */
  attached: Set<string>;
}

export function reactionIndex(messages: Message[]): ReactionIndex {
  const byWamid = new Map<string, Message>();
  const byId = new Map<string, Message>();
  for (const m of messages) {
    if (m.wamid) byWamid.set(m.wamid, m);
    byId.set(m.id, m);
  }
  const latest = new Map<string, Map<string, ReactionChip | null>>();
  const attached = new Set<string>();
  for (const m of messages) {
    if (m.kind !== 'reaction') continue;
    const c = content(m);
    const ref = str(c.message_id) ?? str(c.target_id);
    const target = ref ? (byWamid.get(ref) ?? byId.get(ref)) : undefined;
    if (!target || target.kind === 'reaction') continue;
    attached.add(m.id);
    const who = m.direction === 'inbound' ? 'customer' : 'business';
    const emoji = str(c.emoji) ?? (c.emoji === undefined ? str(m.body) : null);
    const perTarget = latest.get(target.id) ?? new Map<string, ReactionChip | null>();
    perTarget.set(who, emoji ? { emoji, direction: m.direction, name: m.sender_name ?? null } : null);
    latest.set(target.id, perTarget);
  }
  const byMessage = new Map<string, ReactionChip[]>();
  for (const [id, per] of latest) {
    const chips = [...per.values()].filter((c): c is ReactionChip => c !== null);
    if (chips.length) byMessage.set(id, chips);
  }
  return { byMessage, attached };
}
