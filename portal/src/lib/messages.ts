// How messages read in the portal: ticks, one-line summaries, links. Rendering lives in
// pages/app/inbox/MessageBubble.tsx; these pure helpers are shared with lists and the test phone.
import type { TFunction } from 'i18next';
import type { Message } from '../api/types';

export type Tick = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** The tick of an outbound message: clock, one tick, two ticks, two blue ticks, or failed. */
export function tickFor(status: string): Tick {
  switch (status) {
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'read':
    case 'played':
      return 'read';
    case 'failed':
      return 'failed';
    default:
      return 'pending'; // queued, sending
  }
}

/** Whether a message can still change (an outbound one on its way, a file being fetched). */
export function isSettled(m: Pick<Message, 'direction' | 'status' | 'media'>): boolean {
  if (m.media && m.media.status === 'pending') return false; // the file is still on its way
  return m.direction === 'inbound' || ['read', 'played', 'failed'].includes(m.status);
}

export function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v : null;
}

export function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() && Number.isFinite(Number(v))) return Number(v);
  return null;
}

export function content(m: Pick<Message, 'content'>): Record<string, unknown> {
  return m.content && typeof m.content === 'object' && !Array.isArray(m.content) ? m.content : {};
}

/**
 * A reply Chorus sent by itself (outbound, `sender_type: "system"`): `content.automatic` names
 * which (`greeting`, `away`, `closing`: the message sent before auto-resolving, or `csat`: the
 * satisfaction survey and its thanks); `other` for
 * a system reply that does not say or names something newer. Null for people's.
 */
export function automaticKind(m: Pick<Message, 'direction' | 'sender_type' | 'content'>): 'greeting' | 'away' | 'closing' | 'csat' | 'other' | null {
  if (m.direction !== 'outbound' || m.sender_type !== 'system') return null;
  const a = content(m).automatic;
  return a === 'greeting' || a === 'away' || a === 'closing' || a === 'csat' ? a : 'other';
}

/** OpenStreetMap at the given point, with a marker. */
export function osmUrl(latitude: number, longitude: number): string {
  const lat = latitude.toFixed(6).replace(/\.?0+$/, '');
  const lon = longitude.toFixed(6).replace(/\.?0+$/, '');
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
}

const MEDIA = ['image', 'video', 'audio', 'document', 'sticker'];

export function isMediaKind(kind: string): boolean {
  return MEDIA.includes(kind);
}

/** The kind's name in the UI language ("Photo", "Voice message", …). */
export function kindLabel(t: TFunction, kind: string, c: Record<string, unknown> = {}): string {
  if (kind === 'audio' && c.voice === true) return t('messages.kinds.voice');
  if (kind === 'sticker' && c.animated === true) return t('messages.kinds.animatedSticker');
  const key = `messages.kinds.${kind}`;
  const label = t(key, { defaultValue: '' });
  return label && label !== key ? label : kind;
}

/** One line that stands for a message: quotes, previews, notifications. */
export function summarize(t: TFunction, m: Pick<Message, 'kind' | 'body' | 'content'>): string {
  const c = content(m);
  const body = str(m.body);
  switch (m.kind) {
    case 'text':
      return body ?? str(c.body) ?? '';
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const sent = c.outbound && typeof c.outbound === 'object' ? (c.outbound as Record<string, unknown>) : {};
      const detail = str(c.caption) ?? str(sent.caption) ?? str(c.filename) ?? body;
      const label = kindLabel(t, m.kind, c);
      return detail ? `${label}: ${detail}` : label;
    }
    case 'location': {
      const name = str(c.name) ?? str(c.address) ?? body;
      return name ? `${kindLabel(t, 'location')}: ${name}` : kindLabel(t, 'location');
    }
    case 'reaction':
      return str(c.emoji) ? t('messages.reactedWith', { emoji: String(c.emoji) }) : t('messages.reactionRemoved');
    case 'revoke':
      return t('messages.deleted');
    case 'contacts':
      return kindLabel(t, 'contacts');
    default:
      return body ?? str(c.title) ?? str(c.text) ?? kindLabel(t, m.kind);
  }
}

/** The list's `last_message_preview`: the server writes "[image]" for a message without text. */
export function previewText(t: TFunction, preview: string | null | undefined): string {
  if (!preview) return '';
  const m = /^\[([a-z_]+)\]$/.exec(preview);
  return m ? kindLabel(t, m[1]) : preview;
}
