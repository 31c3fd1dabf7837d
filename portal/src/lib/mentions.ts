// `@` mentions in internal notes.
import type { Mention, Mentionables } from '../api';

export interface MentionCandidate extends Mention {
  name: string;
}

/** The `@word` being typed right before the caret, or null. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([^\s@]{0,40})$/.exec(before);
  if (!m) return null;
  return { start: before.length - m[2].length - 1, query: m[2] };
}

export function mentionCandidates(list: Mentionables | null, query: string, limit = 8): MentionCandidate[] {
  if (!list) return [];
  const q = query.toLowerCase();
  const all: MentionCandidate[] = [
    ...list.agents.map((a) => ({ type: 'agent' as const, id: a.id, name: a.name })),
    ...list.teams.map((t) => ({ type: 'team' as const, id: t.id, name: t.name })),
  ];
  const starts = all.filter((c) => c.name.toLowerCase().startsWith(q));
  const words = all.filter((c) => !starts.includes(c) && c.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(q)));
  return [...starts, ...words].slice(0, limit);
}

/** Inserts `@Name ` in place of the typed `@query`; answers the new text and caret. */
export function insertMention(text: string, at: { start: number; query: string }, name: string): { text: string; caret: number } {
  const end = at.start + 1 + at.query.length;
  const inserted = `@${name} `;
  return { text: text.slice(0, at.start) + inserted + text.slice(end), caret: at.start + inserted.length };
}

/** The chosen mentions still written in the text (a deleted `@Name` is not sent). */
export function mentionsInText(text: string, chosen: MentionCandidate[]): Mention[] {
  const seen = new Set<string>();
  const out: Mention[] = [];
  for (const c of chosen) {
    const key = `${c.type}:${c.id}`;
    if (seen.has(key) || !text.includes(`@${c.name}`)) continue;
    seen.add(key);
    out.push({ type: c.type, id: c.id });
  }
  return out;
}

/** Splits a note's body into text and highlighted `@Name` parts (names from `content.mentions`). */
export function splitMentions(body: string, names: string[]): { text: string; mention: boolean }[] {
  const sorted = [...new Set(names.filter(Boolean))].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return [{ text: body, mention: false }];
  const esc = sorted.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`@(?:${esc.join('|')})`, 'g');
  const parts: { text: string; mention: boolean }[] = [];
  let last = 0;
  for (const m of body.matchAll(re)) {
    const i = m.index ?? 0;
    if (i > last) parts.push({ text: body.slice(last, i), mention: false });
    parts.push({ text: m[0], mention: true });
    last = i + m[0].length;
  }
  if (last < body.length) parts.push({ text: body.slice(last), mention: false });
  return parts;
}
